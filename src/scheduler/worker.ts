import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaseLostError } from './ports.ts';
import { processReply, type SendDeps } from './send-reply.ts';

export interface WorkerOptions {
  pollMs: number;
  batchSize: number;
  /** A claimed reply whose worker does not finish within this time is taken over by another. */
  leaseMs: number;
}

/**
 * Polls the durable queue for due replies and processes them one by one. Several workers
 * (processes sharing one PostgreSQL) can run side by side: claims are atomic and every
 * write checks the lease.
 */
export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #deps: SendDeps;
  readonly #o: WorkerOptions;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: SendDeps, options: WorkerOptions) {
    this.#deps = deps;
    this.#o = options;
  }

  /** Claims and processes one batch; returns how many replies it handled. */
  async tick(): Promise<number> {
    const claimed = await this.#deps.store.claimDue(
      this.#deps.clock.now(),
      this.#o.batchSize,
      this.id,
      this.#o.leaseMs,
    );
    for (const reply of claimed) {
      try {
        await processReply(this.#deps, this.id, reply);
      } catch (error) {
        if (error instanceof LeaseLostError) {
          this.#deps.log.warn({ reply: reply.id }, 'reply taken over by another worker');
          continue;
        }
        // The reply keeps its lease and is picked up again when it expires.
        this.#deps.log.error(
          { reply: reply.id, err: error },
          'could not process a reply; it will be retried',
        );
      }
    }
    return claimed.length;
  }

  /** Processes until no reply is due (for tests and replays on a manual clock). */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.tick(); n > 0; n = await this.tick()) total += n;
    return total;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Asks the loop to look now instead of at the next poll. */
  wake(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let handled = 0;
      try {
        handled = await this.tick();
      } catch (error) {
        this.#deps.log.error({ err: error }, 'the reply queue could not be read; retrying');
      }
      if (handled === this.#o.batchSize || !this.#running) continue;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, this.#o.pollMs);
      });
      if (this.#timer) clearTimeout(this.#timer);
      this.#wake = null;
    }
  }
}
