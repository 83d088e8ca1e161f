import SQLite from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The WAL checkpointer's thread (see checkpointer.ts): its own connection copies the WAL into the
 * database file, and syncs it, while the main thread goes on answering webhooks.
 */
const { path, everyMs } = workerData as { path: string; everyMs: number };
const db = new SQLite(path);
db.pragma('busy_timeout = 1000');
// This connection only checkpoints; the writers' connection never does.
db.pragma('wal_autocheckpoint = 0');

function checkpoint(): void {
  try {
    // PASSIVE copies what no reader still needs and never waits for, nor blocks, anyone.
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{
      busy: number;
      log: number;
      checkpointed: number;
    }>;
    parentPort?.postMessage({ log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 });
  } catch (error) {
    parentPort?.postMessage({ error: (error as Error).message });
  }
}

const timer = setInterval(checkpoint, everyMs);
parentPort?.on('message', (message: string) => {
  if (message === 'now') checkpoint();
  if (message === 'stop') {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort?.close();
  }
});
