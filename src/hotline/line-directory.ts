import type { Line } from '../domain/types.ts';
import { Snapshot } from './snapshot.ts';

/** How long another process's change to a line may take to reach this process's answers. */
export const LINE_STALENESS_MS = 1000;

interface Lines {
  byNumber: Map<string, Line>;
  byId: Map<number, Line>;
}

/**
 * Every line, as the webhook's answer needs it (voice text, pause, shield), held in memory: read
 * again at most every `maxAgeMs`, and at once after a change made through this process. A change
 * made by another process (the dashboard on another machine, the shield of a worker) shows here
 * within `maxAgeMs`.
 */
export class LineDirectory {
  readonly #lines: Snapshot<Lines>;

  constructor(load: () => Promise<Line[]>, maxAgeMs = LINE_STALENESS_MS) {
    this.#lines = new Snapshot(
      async () => {
        const lines = await load();
        return {
          byNumber: new Map(lines.map((l) => [l.number, l])),
          byId: new Map(lines.map((l) => [l.id, l])),
        };
      },
      maxAgeMs,
      { byNumber: new Map(), byId: new Map() },
    );
  }

  async byNumber(number: string): Promise<Line | null> {
    return (await this.#lines.fresh()).byNumber.get(number) ?? null;
  }

  async byId(id: number): Promise<Line | null> {
    return (await this.#lines.fresh()).byId.get(id) ?? null;
  }

  /** Reads the lines again if what is held is older than allowed. */
  async refresh(): Promise<void> {
    await this.#lines.fresh();
  }

  /** The line as last read, without reading (call `refresh` first). */
  peekById(id: number): Line | null {
    return this.#lines.value.byId.get(id) ?? null;
  }

  /** Forgets what is held: the next look-up reads the lines again. */
  invalidate(): void {
    this.#lines.invalidate();
  }
}
