import type { Config } from '../config/load.ts';
import type { Clock } from '../domain/clock.ts';
import { NumberVault } from '../privacy/number-vault.ts';
import { openStorage, type Storage } from './db.ts';
import { migrateToLatest } from './migrate.ts';
import { NumberKeysRepo } from './number-keys-repo.ts';
import { assertSameSecret } from './secret-check.ts';

/**
 * The database, migrated to the latest schema, and the vault that encrypts caller numbers with its
 * keys. Refuses (and closes the database) when SECRET is not the one the data was written with.
 */
export async function openDatabase(
  config: Config,
  clock: Clock,
): Promise<{ storage: Storage; vault: NumberVault }> {
  const storage = openStorage(config.database);
  const vault = new NumberVault(config.secret, { keys: new NumberKeysRepo(storage.db), clock });
  try {
    await migrateToLatest(storage);
    await assertSameSecret(storage.db, vault);
    await vault.reload();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return { storage, vault };
}
