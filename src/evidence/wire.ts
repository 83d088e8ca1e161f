import { ContactsRepo } from '../storage/contacts-repo.ts';
import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import type { Clock } from '../domain/clock.ts';
import { Periodic } from '../hotline/periodic.ts';
import type { Tariff } from '../hotline/tariff.ts';
import { deriveKey, type NumberVault } from '../privacy/number-vault.ts';
import type { Storage } from '../storage/db.ts';
import { EvidenceHoldsRepo } from '../storage/evidence-holds-repo.ts';
import { EvidenceRepo } from '../storage/evidence-repo.ts';
import type { LinesRepo } from '../storage/lines-repo.ts';
import type { SettingsRepo } from '../storage/settings-repo.ts';
import type { ShieldRepo } from '../storage/shield-repo.ts';
import { EvidenceService } from './exporter.ts';

/**
 * The hash-chained journal, the job that links new entries to the chain every second, the periods
 * held as evidence, and the service that verifies the journal and exports bundles.
 */
export function wireEvidence(
  config: Config,
  deps: {
    storage: Storage;
    vault: NumberVault;
    clock: Clock;
    log: Logger;
    lines: Pick<LinesRepo, 'list'>;
    shield: ShieldRepo;
    currentTariff: () => Promise<Tariff>;
    settings: Pick<SettingsRepo, 'organisation'>;
    /** Records what the intake log still holds, before a bundle is built. */
    recordPending(): Promise<void>;
  },
) {
  const { storage, clock } = deps;
  const headKey = deriveKey(config.secret, 'evidence-chain-heads-v1');
  const journal = new EvidenceRepo(storage.db, storage.caps, headKey);
  const sequencer = new Periodic(
    'linking the evidence chain',
    () => journal.seal(clock.now()),
    deps.log,
  );
  const holds = new EvidenceHoldsRepo(storage.db);
  const evidence = new EvidenceService({
    journal,
    holds,
    vault: deps.vault,
    clock,
    headKey,
    lines: () => deps.lines.list(),
    shieldPeriods: (lineId, from, to) => deps.shield.periods(lineId, from, to),
    tariff: deps.currentTariff,
    organisation: () => deps.settings.organisation(),
    quotedRefs: (from, to, lineId) => new ContactsRepo(storage.db).quotedRefs(from, to, lineId),
    recordPending: () => deps.recordPending(),
    settings: {
      timeZone: config.timeZone,
      currency: config.currency,
      language: config.hotline.language,
    },
  });
  return { journal, sequencer, holds, evidence };
}
