import { Snapshot } from './snapshot.ts';

/** How long a number blocked by another process may take to be refused by this one. */
export const BLOCKLIST_STALENESS_MS = 1000;

export interface CallerMemoryOptions {
  /** Blind indexes of the blocked numbers. */
  loadBlocked: () => Promise<string[]>;
  maxAgeMs?: number;
  /** Callers remembered per process; the oldest are forgotten first. */
  maxRecent?: number;
}

/**
 * What the webhook's answer needs to know about a caller, held in memory so that the answer waits
 * for no query: whether the number is blocked (read again at most every `maxAgeMs`, and at once
 * after a change made through this process), and when it last reached each line (from the events
 * this process received or recorded). A caller seen by another process only is known once this
 * process's processor records his event, or not at all on a web-only process: he then hears the
 * line's message instead of a free refusal, which costs a call's minutes, never a reply.
 */
export class CallerMemory {
  readonly #blocked: Snapshot<Set<string>>;
  readonly #maxRecent: number;
  /** "lineId index" → last contact (ms), oldest first (re-inserted on every contact). */
  readonly #recent = new Map<string, number>();

  constructor(options: CallerMemoryOptions) {
    const load = options.loadBlocked;
    this.#blocked = new Snapshot(
      async () => new Set(await load()),
      options.maxAgeMs ?? BLOCKLIST_STALENESS_MS,
      new Set<string>(),
    );
    this.#maxRecent = options.maxRecent ?? 100_000;
  }

  async isBlocked(index: string): Promise<boolean> {
    return (await this.#blocked.fresh()).has(index);
  }

  /** Whether this caller reached this line at or after `since`. */
  seenSince(lineId: number, index: string, since: number): boolean {
    const at = this.#recent.get(`${lineId} ${index}`);
    return at !== undefined && at >= since;
  }

  /** Notes a contact from this caller on this line. */
  see(lineId: number, index: string, at: number): void {
    const key = `${lineId} ${index}`;
    const before = this.#recent.get(key);
    if (before !== undefined) {
      this.#recent.delete(key);
      if (before > at) at = before;
    } else if (this.#recent.size >= this.#maxRecent) {
      this.#recent.delete(this.#recent.keys().next().value!);
    }
    this.#recent.set(key, at);
  }

  /** The blocklist changed: read it again before the next answer. */
  invalidate(): void {
    this.#blocked.invalidate();
  }
}
