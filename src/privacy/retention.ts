import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { RetentionCutoffs } from '../storage/retention-queries.ts';
import type { ErasedCounts, LastRetention, RetentionRepo } from '../storage/retention-repo.ts';
import type { NumberVault } from './number-vault.ts';

const DAY = 86_400_000;

/** What retention needs from storage. */
export type RetentionStore = Pick<
  RetentionRepo,
  'maxCooldownMs' | 'countExpired' | 'eraseExpired' | 'recordRun' | 'lastRun' | 'keptCallers'
>;

/** One run, done or (dry run) only counted. */
export interface RetentionRun extends ErasedCounts {
  at: number;
  /** Contacts received before this were due. */
  cutoff: number;
  /** Replies created and callers last seen before this could go. */
  rememberBefore: number;
  dryRun: boolean;
}

/** A hostile caller kept as evidence, number masked (contract.ts KeptCallerRow). */
export interface KeptCaller {
  callerId: number;
  number: string;
  contacts: number;
  labels: string[];
  blocked: boolean;
  lastSeen: number;
}

export interface RetentionStatus {
  retentionDays: number;
  lastRetention: { at: number; contacts: number; callers: number } | null;
  keptCallers: KeptCaller[];
}

/**
 * Cut-offs of a run at `now`: contacts go after the retention period; callers and their replies
 * are remembered at least as long as the longest line cooldown, or a caller forgotten early would
 * get a second reply within it.
 */
export function retentionCutoffs(
  now: number,
  retentionMs: number,
  maxCooldownMs: number,
): RetentionCutoffs {
  return {
    now,
    contactsBefore: now - retentionMs,
    rememberBefore: now - Math.max(retentionMs, maxCooldownMs),
  };
}

export interface RetentionOptions {
  store: RetentionStore;
  clock: Clock;
  /** RETENTION. */
  retentionMs: number;
  /** Masks the numbers of kept callers for the dashboard. */
  vault: Pick<NumberVault, 'masked'>;
  log?: Logger;
}

/**
 * Erases the contacts and texts of ordinary callers once RETENTION has passed, with the replies
 * and caller rows nothing refers to any more and old simulator messages; evidence (see the
 * evidence exception in storage/evidence-exception.ts) stays until an admin releases it. The server
 * runs it hourly; `nonmerci privacy retention` runs it once.
 */
export class Retention {
  readonly #o: RetentionOptions;
  constructor(options: RetentionOptions) {
    if (!(options.retentionMs >= DAY)) throw new Error('retention must be at least one day');
    this.#o = options;
  }

  get retentionMs(): number {
    return this.#o.retentionMs;
  }

  /** One run now; with `dryRun`, counts what it would erase and erases nothing. */
  async run(options: { dryRun?: boolean } = {}): Promise<RetentionRun> {
    const { store, clock, retentionMs, log } = this.#o;
    const at = clock.now();
    const cutoffs = retentionCutoffs(at, retentionMs, await store.maxCooldownMs());
    const dryRun = options.dryRun === true;
    const counts = dryRun ? await store.countExpired(cutoffs) : await store.eraseExpired(cutoffs);
    const run: RetentionRun = {
      at,
      cutoff: cutoffs.contactsBefore,
      rememberBefore: cutoffs.rememberBefore,
      dryRun,
      ...counts,
    };
    if (!dryRun) {
      await store.recordRun({ at, cutoff: cutoffs.contactsBefore, ...counts });
      if (counts.contacts + counts.replies + counts.callers + counts.messages > 0)
        log?.info({ ...counts, cutoff: new Date(run.cutoff).toISOString() }, 'retention erased');
    }
    return run;
  }

  /** The last run that was not a dry run, or null before the first one. */
  last(): Promise<LastRetention | null> {
    return this.#o.store.lastRun();
  }

  /** Retention period, last run and hostile callers kept as evidence, for the dashboard. */
  async status(limit = 200): Promise<RetentionStatus> {
    const [last, kept] = await Promise.all([this.last(), this.#o.store.keptCallers(limit)]);
    return {
      retentionDays: Math.round(this.#o.retentionMs / DAY),
      lastRetention: last ? { at: last.at, contacts: last.contacts, callers: last.callers } : null,
      keptCallers: kept.map((k) => ({
        callerId: k.callerId,
        number: k.numberType === 'withheld' ? 'withheld' : this.#masked(k.numberEnc),
        contacts: k.contacts,
        labels: k.labels,
        blocked: k.blocked,
        lastSeen: k.lastSeen,
      })),
    };
  }

  /** A masked number; one whose key was destroyed cannot be shown, which must not hide the rest. */
  #masked(stored: string): string {
    try {
      return this.#o.vault.masked(stored);
    } catch {
      return 'unreadable';
    }
  }
}
