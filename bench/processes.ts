/**
 * Child processes and /proc readings for the webhook benchmark: servers under test run as separate
 * processes, their output goes to files, and everything is torn down on exit or Ctrl+C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Teardown steps run in reverse order once, on normal exit, error or signal. */
export class Cleanup {
  readonly #steps: { label: string; run: () => Promise<void> | void }[] = [];
  readonly #children = new Set<ChildProcess>();
  readonly #dirs = new Set<string>();
  #running: Promise<void> | null = null;

  add(label: string, run: () => Promise<void> | void): () => void {
    const step = { label, run };
    this.#steps.push(step);
    return () => {
      const i = this.#steps.indexOf(step);
      if (i >= 0) this.#steps.splice(i, 1);
    };
  }

  child(child: ChildProcess): void {
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
  }

  dir(path: string): void {
    this.#dirs.add(path);
  }

  removeDir(path: string): void {
    rmSync(path, { recursive: true, force: true });
    this.#dirs.delete(path);
  }

  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const child of this.#children) await stopChild(child);
      for (const step of this.#steps.splice(0).reverse()) {
        try {
          await step.run();
        } catch (error) {
          process.stderr.write(`cleanup (${step.label}) failed: ${(error as Error).message}\n`);
        }
      }
      for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
      this.#dirs.clear();
    })();
    return this.#running;
  }

  /** Last resort when the process exits without running the async teardown. */
  runSync(): void {
    for (const child of this.#children) child.kill('SIGKILL');
    for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  logFile: string;
  errFile: string;
  stop(): Promise<void>;
}

/** Starts `node <script> <args>` with stdout/stderr to files in `dir`, and waits for GET /healthz. */
export async function startServer(options: {
  name: string;
  script: string;
  args: string[];
  /** Flags for node itself, e.g. --cpu-prof. */
  nodeArgs?: string[];
  env: NodeJS.ProcessEnv;
  dir: string;
  port: number;
  cleanup: Cleanup;
}): Promise<ServerProcess> {
  const logFile = join(options.dir, `${options.name}.out.log`);
  const errFile = join(options.dir, `${options.name}.err.log`);
  const out = openSync(logFile, 'w');
  const err = openSync(errFile, 'w');
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.script, ...options.args],
    {
      cwd: options.dir,
      env: options.env,
      stdio: ['ignore', out, err],
    },
  );
  closeSync(out);
  closeSync(err);
  options.cleanup.child(child);
  const url = `http://127.0.0.1:${options.port}`;
  const failed = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code, signal) => {
      const tail = readTail(errFile) || readTail(logFile);
      reject(
        new Error(`${options.name} exited (${signal ?? code}) before answering /healthz:\n${tail}`),
      );
    });
  });
  failed.catch(() => {});
  const deadline = Date.now() + 30_000;
  for (;;) {
    const healthy = await Promise.race([
      fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
      failed,
    ]);
    if (healthy) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`${options.name} did not answer /healthz within 30 s:\n${readTail(errFile)}`);
    }
    await sleep(100);
  }
  return { child, pid: child.pid!, url, logFile, errFile, stop: () => stopChild(child) };
}

/** The last `lines` lines of a file (those matching `filter` if given), or '' if unreadable. */
export function readTail(file: string, lines = 20, filter?: RegExp): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return (filter ? all.filter((l) => filter.test(l)) : all).slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Resident memory now and at its peak of a process and its descendants, from /proc, in bytes. */
export function memory(pid: number): { rss: number; peak: number } {
  let rss = 0;
  let peak = 0;
  for (const one of processTree(pid)) {
    const status = readFileSync(`/proc/${one}/status`, 'utf8');
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    rss += kb('VmRSS');
    peak += kb('VmHWM');
  }
  return { rss, peak };
}

/** Starts counting the peak RSS (VmHWM) of a process and its descendants again from now. */
export function resetPeakMemory(pid: number): void {
  for (const one of processTree(pid)) {
    try {
      writeFileSync(`/proc/${one}/clear_refs`, '5');
    } catch {
      // Not allowed here, or gone: the peak then counts from the start.
    }
  }
}

/** A process and its descendants (`serve --processes N` runs N children), by pid. */
function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // Gone meanwhile, or a kernel without the children file: the process alone.
  }
  return [pid, ...children.flatMap(processTree)];
}

const TICK_MS = 10; // USER_HZ is 100 on Linux.

/** CPU time used by a process and its descendants, in ms. */
export function processCpuMs(pid: number): { user: number; system: number } {
  const total = { user: 0, system: 0 };
  for (const one of processTree(pid)) {
    const stat = readFileSync(`/proc/${one}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state); utime is field 14, stime field 15.
    total.user += Number(fields[11]) * TICK_MS;
    total.system += Number(fields[12]) * TICK_MS;
  }
  return total;
}

/** Busy and total CPU time of the whole machine, in ms summed over cores. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
}
