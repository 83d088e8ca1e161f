// The WAL checkpointer's thread (see checkpointer.ts): its own connection copies the WAL into the
// database file, and syncs it, while the main thread goes on answering webhooks. Plain JavaScript
// on purpose: a TypeScript file would load Node's type stripper into this thread too (11 MB).
import SQLite from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ path: string, everyMs: number }} */
const { path, everyMs } = workerData;
const db = new SQLite(path);
db.pragma('busy_timeout = 1000');
// This connection only checkpoints; the writers' connection never does.
db.pragma('wal_autocheckpoint = 0');

function checkpoint() {
  try {
    // PASSIVE copies what no reader still needs and never waits for, nor blocks, anyone.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or interrupted: the next round tries again.
  }
}

const timer = setInterval(checkpoint, everyMs);
parentPort?.on('message', (/** @type {string} */ message) => {
  if (message === 'stop') {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort?.close();
  }
});
