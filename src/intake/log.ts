import type { ContactKind } from '../domain/types.ts';

/** A webhook's event as the intake log keeps it until the processor records it. */
export interface LogEntry {
  provider: string;
  providerSid: string;
  lineId: number;
  kind: ContactKind;
  receivedAt: number;
  /** Blind index of the normalised number (privacy/number-vault.ts). */
  callerIndex: string;
  /** The normalised number, encrypted by the number vault. */
  callerEnc: string;
  callerType: string;
  callerCountry: string | null;
  body: string | null;
}

export interface LoggedEvent extends LogEntry {
  id: number;
  /** Earlier attempts at recording it that failed. */
  failures: number;
}

export interface IntakeLogStore {
  /**
   * Appends entries in one transaction; for each, its log id, or null when the provider already
   * delivered it (an event still in the log, or a contact recorded from it).
   */
  append(entries: readonly LogEntry[]): Promise<Array<number | null>>;
}

interface Waiting {
  entry: LogEntry;
  resolve(id: number | null): void;
  reject(error: unknown): void;
}

export interface IntakeLogOptions {
  /** Entries written by one transaction at most; more wait for the next. */
  maxBatch?: number;
  /** Transactions that may run at once (PostgreSQL takes several writers, SQLite one). */
  parallel?: number;
  /** Called after each commit with the number of new events, to wake the processor. */
  onAppended?: (count: number) => void;
}

/**
 * The durable intake log, appended by group commit: a webhook waits for the commit of the batch
 * it joined, so it is acknowledged only once its event is on disk, while events that arrive
 * together share one transaction and one disk sync. A batch is written as soon as the previous
 * one has committed, with everything that arrived meanwhile (at most `maxBatch`); at rest, an
 * event is written in the same turn of the event loop it arrived in. This is how mail and message
 * gateways store before they acknowledge.
 */
export class IntakeLog {
  readonly #store: IntakeLogStore;
  readonly #maxBatch: number;
  readonly #parallel: number;
  readonly #onAppended: (count: number) => void;
  #queue: Waiting[] = [];
  #scheduled = false;
  #inFlight = 0;
  #appended = 0;
  #received = 0;

  constructor(store: IntakeLogStore, options: IntakeLogOptions = {}) {
    this.#store = store;
    this.#maxBatch = options.maxBatch ?? 256;
    this.#parallel = options.parallel ?? 1;
    this.#onAppended = options.onAppended ?? (() => {});
  }

  /** Events appended by this process since it started. */
  get appended(): number {
    return this.#appended;
  }

  /** Entries handed to `append` since the start, durable or not yet. */
  get received(): number {
    return this.#received;
  }

  /** Resolves with the event's log id once it is durable; null for a provider's retry. */
  append(entry: LogEntry): Promise<number | null> {
    this.#received++;
    return new Promise((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#parallel || this.#queue.length === 0) return;
    this.#scheduled = true;
    // Every webhook already read in this turn of the event loop joins the batch.
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#queue.splice(0, this.#maxBatch);
    if (batch.length === 0) return;
    this.#inFlight++;
    this.#schedule();
    try {
      const ids = await this.#store.append(batch.map((w) => w.entry));
      const added = ids.filter((id) => id !== null).length;
      this.#appended += added;
      batch.forEach((w, i) => w.resolve(ids[i] ?? null));
      if (added > 0) this.#onAppended(added);
    } catch (error) {
      // One bad entry must not fail its neighbours: each is tried again on its own.
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const w of batch) await this.#appendAlone(w);
    } finally {
      this.#inFlight--;
      this.#schedule();
    }
  }

  async #appendAlone(w: Waiting): Promise<void> {
    try {
      const [id] = await this.#store.append([w.entry]);
      if (id !== null && id !== undefined) {
        this.#appended++;
        this.#onAppended(1);
      }
      w.resolve(id ?? null);
    } catch (error) {
      w.reject(error);
    }
  }
}
