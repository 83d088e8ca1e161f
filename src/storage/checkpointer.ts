import type SQLite from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

/**
 * SQLite moves the write-ahead log into the database file when a commit finds it long enough
 * (1,000 pages): that commit then copies the pages and syncs the file, on the event loop, and every
 * webhook waits behind it. Instead, the writers' connection never checkpoints, and a thread of its
 * own does it every `everyMs` with a passive checkpoint, which neither waits for nor blocks the
 * writers. A WAL that is fully checkpointed is reused from its start by the next commit, so it
 * stays about as long as what is written between two checkpoints; `journal_size_limit` truncates
 * what a flood left beyond that.
 */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #stopped: Promise<void>;

  private constructor(worker: Worker) {
    this.#worker = worker;
    this.#stopped = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  /**
   * Starts the thread for the SQLite file at `path`, and hands checkpoints over to it from the
   * writers' connection `sqlite`; if the thread cannot start, the connection keeps checkpointing
   * itself, as SQLite does by default.
   */
  static start(sqlite: SQLite.Database, path: string, everyMs = 200): Checkpointer | null {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./checkpoint-thread.js', import.meta.url), {
        workerData: { path, everyMs },
      });
    } catch {
      return null;
    }
    worker.unref();
    sqlite.pragma('wal_autocheckpoint = 0');
    sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    // A thread that dies gives checkpoints back to the writers' connection.
    worker.once('error', () => restore(sqlite));
    worker.once('exit', (code) => {
      if (code !== 0) restore(sqlite);
    });
    return new Checkpointer(worker);
  }

  /** Checkpoints once more and stops the thread, before the writers' connection is closed. */
  async stop(): Promise<void> {
    // Waiting for the thread keeps the process alive until it has stopped.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await this.#stopped;
  }
}

function restore(sqlite: SQLite.Database): void {
  if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
}
