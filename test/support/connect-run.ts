import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectIo } from '../../src/cli/connect.ts';
import { BIN } from './server-process.ts';

/**
 * Running `nonmerci connect …` as an operator would, for the tests of every provider: the real
 * command in a folder of its own (with its .env), or the connector with a scripted operator.
 */
export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

const dirs: string[] = [];

/** A fresh folder holding `envText` as .env (none when null), mode 0644 as editors leave it. */
export function folder(envText: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-connect-'));
  dirs.push(dir);
  if (envText !== null) writeFileSync(join(dir, '.env'), envText, { mode: 0o644 });
  return dir;
}

/** Removes the folders made by `folder`. */
export function removeFolders(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs bin/nonmerci.js in `cwd` with only `env`, no terminal on standard input. */
export function nonmerci(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<Outcome> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

export const report = (o: Outcome) => `exit ${o.code}\nstdout:\n${o.stdout}\nstderr:\n${o.stderr}`;

/** The command stopped with one "nonmerci: …" message matching `says`, no stack trace. */
export function assertRefused(o: Outcome, code: number, says: RegExp): void {
  assert.equal(o.code, code, report(o));
  assert.match(o.stderr, /^nonmerci: /, report(o));
  assert.match(o.stderr, says, report(o));
  assert.doesNotMatch(o.stderr, /^\s+at /m, `no stack trace expected; ${report(o)}`);
  assert.doesNotMatch(o.stderr, /Error:|NonmerciError/, report(o));
}

/** No secret of `secrets` appears in what the command printed. */
export function assertNoSecret(o: Outcome, ...secrets: string[]): void {
  for (const secret of secrets)
    assert.ok(!o.stdout.includes(secret) && !o.stderr.includes(secret), report(o));
}

/** A scripted operator: answers in order, and what they were asked. */
export function operator(
  answers: string[],
  env: Record<string, string>,
  cwd: string,
  interactive = true,
) {
  const out: string[] = [];
  const asked: { question: string; secret: boolean }[] = [];
  const io: ConnectIo = {
    env,
    cwd,
    interactive,
    print: (line) => out.push(line),
    warn: (line) => out.push(line),
    ask: (question, options) => {
      asked.push({ question, secret: Boolean(options?.secret) });
      const answer = answers.shift();
      return answer === undefined
        ? Promise.reject(new Error(`unexpected question: ${question}`))
        : Promise.resolve(answer);
    },
  };
  return { io, out, asked };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
