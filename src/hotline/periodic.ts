import type { Logger } from 'pino';

/**
 * Runs a background task every so often, never twice at once; a failure is logged and the next
 * round tries again. stop() waits for a round in progress.
 */
export class Periodic {
  readonly #name: string;
  readonly #task: () => Promise<unknown>;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(name: string, task: () => Promise<unknown>, log: Logger) {
    this.#name = name;
    this.#task = task;
    this.#log = log;
  }

  /** Runs the task now, unless a round is already running (then waits for that one). */
  run(): Promise<void> {
    this.#running ??= this.#task()
      .then(() => undefined)
      .catch((error: unknown) => this.#log.error({ err: error }, `${this.#name} failed`))
      .finally(() => (this.#running = null));
    return this.#running;
  }

  start(intervalMs: number): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.run(), intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
