/**
 * A value read from storage and held in memory: read again once older than `maxAgeMs` (real time,
 * not the injected clock: it bounds how stale an answer may be), and at once after `invalidate`,
 * which a change made through this process calls. A read that overlaps a change is not trusted:
 * the value is read again until a read completes with no change meanwhile.
 */
export class Snapshot<T> {
  readonly #load: () => Promise<T>;
  readonly #maxAgeMs: number;
  #value: T;
  #loadedAt = -Infinity;
  #loading: Promise<void> | null = null;
  /** Bumped by every change; `#readGeneration` is the one the held value was read at. */
  #generation = 0;
  #readGeneration = -1;

  constructor(load: () => Promise<T>, maxAgeMs: number, initial: T) {
    this.#load = load;
    this.#maxAgeMs = maxAgeMs;
    this.#value = initial;
  }

  /** The value as last read, without reading (see `fresh`). */
  get value(): T {
    return this.#value;
  }

  /** The value, read again first if it is older than allowed or was invalidated. */
  async fresh(): Promise<T> {
    if (
      performance.now() - this.#loadedAt < this.#maxAgeMs &&
      this.#readGeneration === this.#generation
    )
      return this.#value;
    for (;;) {
      this.#loading ??= this.#loadOnce();
      await this.#loading;
      // A read that started before the latest change may miss it: read again.
      if (this.#readGeneration === this.#generation) return this.#value;
    }
  }

  invalidate(): void {
    this.#generation++;
  }

  async #loadOnce(): Promise<void> {
    const generation = this.#generation;
    try {
      this.#value = await this.#load();
      this.#readGeneration = generation;
      this.#loadedAt = performance.now();
    } finally {
      this.#loading = null;
    }
  }
}
