import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { CallerMemory } from '../hotline/caller-memory.ts';
import { Intake } from '../hotline/intake.ts';
import type { LineDirectory } from '../hotline/line-directory.ts';
import { IntakeProcessor } from '../hotline/processor.ts';
import type { RuleBook } from '../policy/rules.ts';
import type { TextClassifier } from '../policy/text/classifier.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { Storage } from '../storage/db.ts';
import { IntakeLogRepo } from '../storage/intake-log-repo.ts';
import { IntakeRepo } from '../storage/intake-repo.ts';
import { IntakeLog } from './log.ts';

export interface IntakeParts {
  intake: Intake;
  processor: IntakeProcessor;
}

/**
 * The intake's parts, wired: the webhook's side (Intake.accept: caches, then the intake log with
 * group commit) and the processor that records what the log holds, woken by every append.
 */
export function wireIntake(deps: {
  storage: Storage;
  vault: NumberVault;
  clock: Clock;
  log: Logger;
  /** The lines as the webhooks see them (see hotline/wire.ts). */
  lineDirectory: LineDirectory;
  /** Blocklist and recent callers as the webhooks see them. */
  standing: CallerMemory;
  rules: () => Promise<RuleBook>;
  classifier: TextClassifier;
  replyExpiryMs: number;
}): IntakeParts {
  const { storage, vault } = deps;
  const { lineDirectory, standing } = deps;
  const store = new IntakeRepo(storage.db, storage.caps, vault);
  const processor = new IntakeProcessor({
    store,
    lines: lineDirectory,
    standing,
    vault,
    classifier: deps.classifier,
    replyExpiryMs: deps.replyExpiryMs,
    log: deps.log,
    clock: deps.clock,
    // SQLite records on this event loop: resting leaves the webhooks the whole process, and the
    // recording may fall 10 s behind. PostgreSQL does most of the recording's work in its own
    // processes, on other cores: resting gives the webhooks less, so it falls 3 s behind at most.
    lagMs: storage.caps.inProcess ? 10_000 : 3_000,
    arrivals: () => intakeLog.received,
  });
  const intakeLog = new IntakeLog(new IntakeLogRepo(storage.db, storage.caps), {
    // Each PostgreSQL statement is a network round trip: a few batches may commit side by side.
    parallel: Math.min(storage.caps.parallelWriters, 4),
    onAppended: (count) => processor.appended(count),
  });
  const intake = new Intake({
    log: intakeLog,
    store,
    processor,
    lines: lineDirectory,
    standing,
    vault,
    clock: deps.clock,
    rules: deps.rules,
  });
  return { intake, processor };
}
