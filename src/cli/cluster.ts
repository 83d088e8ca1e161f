import cluster from 'node:cluster';
import type { Config } from '../config/load.ts';
import { ConfigError, NonmerciError } from '../domain/errors.ts';

/** A process that dies this soon after it started is not restarted (it would only die again). */
const EARLY_EXIT_MS = 10_000;

/**
 * `serve --processes N`: N nonmerci processes share the listening port (node:cluster hands each
 * new connection to the next one) and one PostgreSQL database. Each is a whole `serve` process:
 * it answers webhooks, records the intake log and sends replies; claims keep every reply and
 * every event to exactly one of them. This process only starts them, restarts one that dies,
 * and passes SIGINT/SIGTERM on. Returns once all have started.
 */
export async function runCluster(
  config: Config,
  processes: number,
  print: (line: string) => void,
): Promise<void> {
  if (config.database.kind !== 'postgres')
    throw new ConfigError(
      'DATABASE_URL',
      `--processes ${processes} shares one database between processes, which needs PostgreSQL (postgres://…); with SQLite run "serve" as one process`,
    );
  let stopping = false;
  const startedAt = new Map<number, number>();
  const fork = (index: number) => {
    // The first process prints the start-up summary; the others stay quiet.
    const worker = cluster.fork({ NONMERCI_PROCESS_INDEX: String(index) });
    startedAt.set(worker.id, Date.now());
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
      print(
        `nonmerci process ${index + 1} of ${processes} stopped (${signal ?? `exit code ${code}`})${lived < EARLY_EXIT_MS ? '; not restarted, as it stopped right after starting: see the message above' : '; starting it again'}`,
      );
      if (lived >= EARLY_EXIT_MS) fork(index);
      else if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
    });
    return worker;
  };
  const workers = Array.from({ length: processes }, (_, i) => fork(i));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('listening', () => resolve());
          w.once('exit', () =>
            reject(new NonmerciError('start_failed', 'a nonmerci process stopped while starting')),
          );
        }),
    ),
  );
  print(`nonmerci is running as ${processes} processes sharing port ${config.port}`);
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    let left = Object.keys(cluster.workers ?? {}).length;
    if (left === 0) process.exit(0);
    cluster.on('exit', () => {
      left--;
      if (left <= 0) process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Inside a process started by `runCluster`: its index (0 for the one that prints), or null. */
export function clusterIndex(): number | null {
  if (!cluster.isWorker) return null;
  return Number(process.env.NONMERCI_PROCESS_INDEX ?? 0);
}
