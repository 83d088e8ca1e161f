import type { Clock } from '../domain/clock.ts';
import { RuleBook, type Rule } from '../policy/rules.ts';

/**
 * The rule book as seen by this process: read from storage at most every `ttlMs`, and at once after
 * a change made through this process. Another process's change shows within `ttlMs`.
 */
export class RuleCache {
  readonly #load: () => Promise<Rule[]>;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  #book: RuleBook | null = null;
  #loadedAt = 0;

  constructor(load: () => Promise<Rule[]>, clock: Clock, ttlMs = 5_000) {
    this.#load = load;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  async get(): Promise<RuleBook> {
    const now = this.#clock.now();
    if (!this.#book || Math.abs(now - this.#loadedAt) >= this.#ttlMs) {
      this.#book = new RuleBook(await this.#load());
      this.#loadedAt = now;
    }
    return this.#book;
  }

  invalidate(): void {
    this.#book = null;
  }
}
