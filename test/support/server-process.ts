import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Runs the real `nonmerci` command (bin/nonmerci.js) as a child process, as an operator would, with
 * only the environment it is given. Every child is remembered so that a test's `after` hook can kill
 * whatever is still running, whatever went wrong.
 */
export const BIN = fileURLToPath(new URL('../../bin/nonmerci.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NonmerciProcess {
  child: ChildProcess;
  pid: number;
  /** Everything written so far. */
  readonly stdout: string;
  readonly stderr: string;
  readonly exit: Exit | null;
  exited: Promise<Exit>;
  /** Resolves once stdout matches, rejects if the process exits first or the deadline passes. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Sends a signal (SIGKILL by default) and waits until the process is gone. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

const running = new Set<NonmerciProcess>();

/** Kills (SIGKILL) every child started through this module that is still alive. */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop('SIGKILL', 5000).catch(() => undefined)));
}

export function spawnNonmerci(args: string[], env: Record<string, string>): NonmerciProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    // A clean environment: nothing from the developer's shell (DATABASE_URL, CI…) leaks in.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exit: Exit | null = null;
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const l of listeners) l();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      for (const l of listeners) l();
      resolve(exit);
    });
  });
  const proc: NonmerciProcess = {
    child,
    pid: child.pid ?? -1,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get exit() {
      return exit;
    },
    exited,
    waitForOutput(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            done(
              new Error(
                `no output matching ${pattern} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
              ),
            ),
          timeoutMs,
        );
        const check = () => {
          if (pattern.test(stdout)) done(null);
          else if (exit)
            done(
              new Error(
                `process exited (${JSON.stringify(exit)}) before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
              ),
            );
        };
        const done = (error: Error | null) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGKILL', timeoutMs = 10_000) {
      if (exit) return exit;
      child.kill(signal);
      const timer = new Promise<'timeout'>((resolve) =>
        setTimeout(resolve, timeoutMs, 'timeout').unref(),
      );
      const result = await Promise.race([exited, timer]);
      if (result !== 'timeout') return result;
      child.kill('SIGKILL');
      return exited;
    },
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

/** A TCP port free right now on loopback (the kernel picks it; a race with another program is possible but rare). */
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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls until `check` returns a value other than undefined, or fails with `what` once `timeoutMs` has
 * passed; an error thrown by `check` ends the wait at once. Waits are bounded; nothing is asserted
 * about how long they took.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs?: number; describe?: () => string | Promise<string> },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const extra = options.describe ? `\n${await options.describe()}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${extra}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

/** Starts `nonmerci serve` (role all) on a free port and waits until /healthz answers 200. */
export async function startServer(
  env: Record<string, string>,
  options: { timeoutMs?: number; args?: string[] } = {},
): Promise<{ proc: NonmerciProcess; base: string }> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = spawnNonmerci(['serve', ...(options.args ?? [])], {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        '/healthz',
        async () => {
          if (proc.exit)
            throw new Error(
              `nonmerci serve exited (${JSON.stringify(proc.exit)}) before it was healthy\nstdout:\n${proc.stdout}\nstderr:\n${proc.stderr}`,
            );
          const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).catch(
            () => null,
          );
          return res?.status === 200 ? true : undefined;
        },
        {
          timeoutMs,
          intervalMs: 25,
          describe: () => `stdout:\n${proc.stdout}\nstderr:\n${proc.stderr}`,
        },
      );
      return { proc, base };
    } catch (error) {
      await proc.stop('SIGKILL');
      // The port may have been taken between freePort() and listen(): try another one, twice.
      if (attempt < 3 && /EADDRINUSE/.test(proc.stderr + proc.stdout)) continue;
      throw error;
    }
  }
}
