import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import type { Clock } from '../domain/clock.ts';
import { Periodic } from '../hotline/periodic.ts';
import type { Storage } from '../storage/db.ts';
import { PrivacyRepo } from '../storage/privacy-repo.ts';
import { KEY_RELOAD_MS, type NumberVault } from './number-vault.ts';
import { Retention } from './retention.ts';
import { SubjectRights } from './subject.ts';

/**
 * Keeping no more than needed: retention (run every hour by the worker's process), a person's
 * rights over their number, and the reload that lets every process learn new number key versions
 * (`nonmerci secret rotate`) within KEY_RELOAD_MS. Nothing runs until `keyReload` is started.
 */
export function wirePrivacy(
  config: Config,
  deps: {
    storage: Storage;
    vault: NumberVault;
    clock: Clock;
    log: Logger;
    /** Records what the intake log still holds, before a person's data is exported or erased. */
    recordPending(): Promise<void>;
  },
) {
  const { storage, vault, clock, log } = deps;
  const store = new PrivacyRepo(storage.db, storage.caps);
  const retention = new Retention({
    store,
    clock,
    retentionMs: config.retentionMs,
    vault,
    log,
  });
  const subjects = new SubjectRights({
    store,
    vault,
    clock,
    retentionMs: config.retentionMs,
    recordPending: () => deps.recordPending(),
  });
  const retentionJob = new Periodic(
    'erasing expired records (retention)',
    () => retention.run(),
    log,
  );
  const keyReload = new Periodic('reloading the number keys', () => vault.reload(), log);
  return { retention, subjects, retentionJob, keyReload, reloadEveryMs: KEY_RELOAD_MS };
}
