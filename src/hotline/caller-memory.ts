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
  /** recentKey(line, index) → last contact (ms after `#since`), oldest first (re-inserted on every contact). */
  readonly #recent = new Map<number, number>();
  /** Times are kept from the first one seen: small whole numbers, stored inline by V8. */
  #since: number | null = null;

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
    const at = this.#recent.get(recentKey(lineId, index));
    return at !== undefined && this.#since !== null && at >= since - this.#since;
  }

  /** Notes a contact from this caller on this line. */
  see(lineId: number, index: string, at: number): void {
    this.#since ??= at;
    let offset = at - this.#since;
    const key = recentKey(lineId, index);
    const before = this.#recent.get(key);
    if (before !== undefined) {
      this.#recent.delete(key);
      if (before > offset) offset = before;
    } else if (this.#recent.size >= this.#maxRecent) {
      this.#recent.delete(this.#recent.keys().next().value!);
    }
    this.#recent.set(key, offset);
  }

  /** The blocklist changed: read it again before the next answer. */
  invalidate(): void {
    this.#blocked.invalidate();
  }
}

/**
 * A number standing for a caller on a line: 53 bits of two multiplicative hashes of both (FNV-1a,
 * and the same with MurmurHash's multiplier). A flood brings a hundred thousand callers to
 * remember; keyed by this instead of a string of their blind index, they take 5 MB of heap instead
 * of 12 to 14. Two callers share a key about once in 10^11 lookups at that size: the later one
 * would be taken for a repeat caller, refused a call (never a reply) while the shield is on.
 */
export function recentKey(lineId: number, index: string): number {
  let a = Math.imul(0x811c9dc5 ^ lineId, 0x01000193);
  let b = Math.imul(0x9747b28c ^ lineId, 0x5bd1e995);
  for (let i = 0; i < index.length; i++) {
    const c = index.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}
