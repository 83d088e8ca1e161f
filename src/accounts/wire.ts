import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import type { Clock } from '../domain/clock.ts';
import { ConfigError } from '../domain/errors.ts';
import type { Storage } from '../storage/db.ts';
import { UsersRepo } from '../storage/users-repo.ts';
import { Accounts } from './accounts.ts';

/**
 * The dashboard's accounts. With ADMIN_PASSWORD set and no account yet, creates "admin" with it; a
 * password that is refused stops the start, naming the setting to fix.
 */
export async function wireAccounts(
  config: Config,
  deps: { storage: Storage; clock: Clock; log: Logger },
): Promise<Accounts> {
  const accounts = new Accounts(new UsersRepo(deps.storage.db), deps.clock);
  if (config.adminPassword) {
    try {
      if (await accounts.ensureAdmin(config.adminPassword))
        deps.log.info('dashboard user "admin" created from ADMIN_PASSWORD');
    } catch (error) {
      throw new ConfigError('ADMIN_PASSWORD', (error as Error).message);
    }
  }
  return accounts;
}
