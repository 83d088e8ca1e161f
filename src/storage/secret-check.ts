import type { Kysely } from 'kysely';
import { ConfigError } from '../domain/errors.ts';
import type { Database } from './schema.ts';

/**
 * Refuses to run with a secret other than the one the database was first used with: numbers
 * encrypted or indexed under another key would be unreadable, and the same caller would look like
 * a new one (a second reply). The check value is a keyed digest of a fixed text: it reveals nothing.
 */
export async function assertSameSecret(
  db: Kysely<Database>,
  keys: { blindIndex(text: string): string },
): Promise<void> {
  const check = keys.blindIndex('nonmerci secret check');
  await db
    .insertInto('nonmerci_settings')
    .values({ key: 'secret_check', value: check })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const stored = await db
    .selectFrom('nonmerci_settings')
    .select('value')
    .where('key', '=', 'secret_check')
    .executeTakeFirstOrThrow();
  if (stored.value !== check) {
    throw new ConfigError(
      'NONMERCI_SECRET',
      'this is not the secret this database was created with. Every process must use the same NONMERCI_SECRET (or the same data folder, whose "secret" file holds it); restore the right one from your backup',
    );
  }
}
