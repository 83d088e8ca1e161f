import type { Line } from '../domain/types.ts';

/** How long another process's change to a line may take to reach this process's answers. */
export const LINE_STALENESS_MS = 1000;

/**
 * Every line, as the webhook's answer needs it (voice text, pause, shield), held in memory: read
 * again at most every `maxAgeMs` (real time), and at once after a change made through this process.
 * A change made by another process (the dashboard on another machine, the shield of a worker)
 * shows here within `maxAgeMs`.
 */
export class LineDirectory {
  readonly #load: () => Promise<Line[]>;
  readonly #maxAgeMs: number;
  #byNumber = new Map<string, Line>();
  #byId = new Map<number, Line>();
  #loadedAt = -Infinity;
  #loading: Promise<void> | null = null;
  #generation = 0;

  constructor(load: () => Promise<Line[]>, maxAgeMs = LINE_STALENESS_MS) {
    this.#load = load;
    this.#maxAgeMs = maxAgeMs;
  }

  async byNumber(number: string): Promise<Line | null> {
    if (this.#stale()) await this.#reload();
    return this.#byNumber.get(number) ?? null;
  }

  async byId(id: number): Promise<Line | null> {
    if (this.#stale()) await this.#reload();
    return this.#byId.get(id) ?? null;
  }

  /** Reads the lines again if what is held is older than allowed. */
  async refresh(): Promise<void> {
    if (this.#stale()) await this.#reload();
  }

  /** The line as last read, without reading (call `refresh` first). */
  peekById(id: number): Line | null {
    return this.#byId.get(id) ?? null;
  }

  /** Forgets what is held: the next look-up reads the lines again. */
  invalidate(): void {
    this.#generation++;
    this.#loadedAt = -Infinity;
  }

  #stale(): boolean {
    return performance.now() - this.#loadedAt >= this.#maxAgeMs;
  }

  /** Reads again until a read completes with no change made through this process meanwhile. */
  async #reload(): Promise<void> {
    while (this.#stale()) {
      this.#loading ??= this.#loadOnce();
      await this.#loading;
    }
  }

  #loadOnce(): Promise<void> {
    return (async () => {
      const generation = this.#generation;
      try {
        const lines = await this.#load();
        this.#byNumber = new Map(lines.map((l) => [l.number, l]));
        this.#byId = new Map(lines.map((l) => [l.id, l]));
        // A change made while this load ran may be missing from it: read again next time.
        if (generation === this.#generation) this.#loadedAt = performance.now();
      } finally {
        this.#loading = null;
      }
    })();
  }
}
