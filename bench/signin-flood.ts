/**
 * Sign-in flood benchmark: the real server (`nonmerci serve`, SQLite, a Twilio line) is measured
 * quiet, then while `--clients` attackers post sign-in attempts with random user names as fast as
 * they are answered, each from its own address (X-Forwarded-For through a trusted proxy). Probes
 * meanwhile send signed webhooks, load the dashboard as a signed-in operator, and sign the operator
 * in from a browser used before and from a new one. Prints a table, flood against quiet.
 *
 *   npm run bench:signin -- [--duration 10] [--clients 60] [--server-root DIR] [--label TEXT]
 *
 * --server-root runs bin/nonmerci.js from another checkout (e.g. an earlier commit), to compare.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { SETTINGS } from '../src/config/schema.ts';
import { WebhookPool } from './load.ts';
import { Cleanup, freePort, processCpuMs, startServer } from './processes.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LINE = '+33939000001';
const PASSWORD = 'a long operator password';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    clients: { type: 'string', default: '60' },
    'server-root': { type: 'string', default: ROOT },
    label: { type: 'string', default: '' },
  },
});
const DURATION_MS = Number(values.duration) * 1000;
const CLIENTS = Number(values.clients);

interface Samples {
  ms: number[];
  statuses: Map<number, number>;
}
const samples = (): Samples => ({ ms: [], statuses: new Map() });
function record(s: Samples, status: number, ms: number) {
  s.ms.push(ms);
  s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
}
const pct = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function timed(url: string, init: RequestInit = {}): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

async function main() {
  const cleanup = new Cleanup();
  process.once('exit', () => cleanup.runSync());
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-signin-bench-'));
  cleanup.dir(dir);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(SETTINGS)) delete env[name];
  const server = await startServer({
    name: 'nonmerci',
    script: join(values['server-root'], 'bin', 'nonmerci.js'),
    args: ['serve'],
    env: {
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: base,
      NONMERCI_DATA_DIR: dir,
      NONMERCI_SECRET: randomBytes(32).toString('base64'),
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      // Never reached: the replies are due an hour later.
      TWILIO_API_URL: 'http://127.0.0.1:9',
      HOTLINE_NUMBER: LINE,
      ADMIN_PASSWORD: PASSWORD,
      TRUST_PROXY: 'loopback',
      LOG_LEVEL: 'warn',
    },
    dir,
    port,
    cleanup,
  });

  // The operator signs in once from the office browser (before any flood).
  const office = { 'x-forwarded-for': '192.0.2.44' };
  const first = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...office },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  if (first.status !== 200) throw new Error(`operator sign-in failed: ${first.status}`);
  const cookies = first.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const session = cookies.filter((c) => c.includes('session')).join('; ');
  const known = cookies.join('; ');

  const pool = new WebhookPool({
    publicUrl: base,
    accountSid,
    authToken,
    line: LINE,
    voiceShare: 0.5,
    repeatShare: 0,
    repeatCallers: 1,
  });
  let next = 0;

  async function phase(flood: boolean) {
    const result = {
      webhook: samples(),
      dashboard: samples(),
      attempts: samples(),
      knownBrowser: samples(),
      newBrowser: samples(),
      serverCpu: 0,
      benchCpu: 0,
    };
    const cpu = () => {
      const c = processCpuMs(server.pid);
      return c.user + c.system;
    };
    const serverBefore = cpu();
    const benchBefore = process.cpuUsage();
    const end = Date.now() + DURATION_MS;
    const loops: Promise<void>[] = [];
    const loop = (body: () => Promise<void>) =>
      loops.push(
        (async () => {
          while (Date.now() < end) await body();
        })(),
      );
    loop(async () => {
      pool.ensure(next + 1);
      const w = pool.at(next++);
      const r = await timed(base + w.path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': w.signature,
        },
        body: w.body,
      });
      record(result.webhook, r.status, r.ms);
      await sleep(20);
    });
    loop(async () => {
      const started = performance.now();
      const page = await timed(`${base}/`, { headers: { cookie: session } });
      const api = await timed(`${base}/api/overview`, { headers: { cookie: session, ...office } });
      record(
        result.dashboard,
        page.status === 200 ? api.status : page.status,
        performance.now() - started,
      );
      await sleep(250);
    });
    loop(async () => {
      await sleep(3000);
      const signIn = (headers: Record<string, string>) =>
        timed(`${base}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ username: 'admin', password: PASSWORD }),
        });
      const k = await signIn({ ...office, cookie: known });
      record(result.knownBrowser, k.status, k.ms);
      const n = await signIn({ 'x-forwarded-for': '192.0.2.99' });
      record(result.newBrowser, n.status, n.ms);
    });
    // The attackers run on a thread of their own, so that their load does not delay the probes.
    const attackers = flood
      ? new Promise<Samples>((resolve, reject) => {
          const thread = new Worker(new URL(import.meta.url), {
            workerData: { base, clients: CLIENTS, end },
          });
          thread.once('message', (s: { ms: number[]; statuses: [number, number][] }) =>
            resolve({ ms: s.ms, statuses: new Map(s.statuses) }),
          );
          thread.once('error', reject);
        })
      : Promise.resolve(samples());
    await Promise.all(loops);
    result.attempts = await attackers;
    result.serverCpu = (cpu() - serverBefore) / DURATION_MS;
    const bench = process.cpuUsage(benchBefore);
    result.benchCpu = (bench.user + bench.system) / 1000 / DURATION_MS;
    return result;
  }

  const quiet = await phase(false);
  const flood = await phase(true);
  await server.stop();
  await cleanup.run();

  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
  const statuses = (s: Samples) =>
    [...s.statuses].map(([status, n]) => `${n}×${status || 'error'}`).join(' ') || '—';
  const latency = (s: Samples) =>
    `${f(pct(s.ms, 50))} / ${f(pct(s.ms, 99))} / ${f(Math.max(...s.ms))}`;
  const ratio = (a: Samples, b: Samples) => (pct(b.ms, 99) / pct(a.ms, 99)).toFixed(1);
  const rows: string[][] = [
    ['', 'quiet', `flood (${CLIENTS} clients)`, 'flood/quiet p99'],
    [
      'webhook ms p50 / p99 / max',
      latency(quiet.webhook),
      latency(flood.webhook),
      ratio(quiet.webhook, flood.webhook),
    ],
    ['webhook answers', statuses(quiet.webhook), statuses(flood.webhook), ''],
    [
      'dashboard load ms p50 / p99 / max',
      latency(quiet.dashboard),
      latency(flood.dashboard),
      ratio(quiet.dashboard, flood.dashboard),
    ],
    [
      'operator sign-in, known browser',
      `${statuses(quiet.knownBrowser)}, ${latency(quiet.knownBrowser)} ms`,
      `${statuses(flood.knownBrowser)}, ${latency(flood.knownBrowser)} ms`,
      '',
    ],
    [
      'operator sign-in, new browser',
      `${statuses(quiet.newBrowser)}, ${latency(quiet.newBrowser)} ms`,
      `${statuses(flood.newBrowser)}, ${latency(flood.newBrowser)} ms`,
      '',
    ],
    [
      'CPU, % of one core: server / this client',
      `${(quiet.serverCpu * 100).toFixed(0)} / ${(quiet.benchCpu * 100).toFixed(0)}`,
      `${(flood.serverCpu * 100).toFixed(0)} / ${(flood.benchCpu * 100).toFixed(0)}`,
      '',
    ],
    [
      'attacker attempts answered',
      '—',
      `${flood.attempts.ms.length} (${(flood.attempts.ms.length / (DURATION_MS / 1000)).toFixed(0)}/s): ${statuses(flood.attempts)}`,
      '',
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    `\nSign-in flood${values.label ? ` — ${values.label}` : ''}, ${DURATION_MS / 1000} s per phase`,
  );
  console.log(
    [
      line(rows[0]!),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...rows.slice(1).map(line),
    ].join('\n'),
  );
}

/** The attackers' thread: `clients` loops posting sign-ins with random names until `end`. */
async function attack(options: { base: string; clients: number; end: number }) {
  const result = samples();
  await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      const address = `198.51.${Math.floor(c / 250)}.${(c % 250) + 1}`;
      while (Date.now() < options.end) {
        const r = await timed(`${options.base}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
          body: JSON.stringify({
            username: randomBytes(6).toString('hex'),
            password: randomBytes(12).toString('hex'),
          }),
        });
        record(result, r.status, r.ms);
      }
    }),
  );
  parentPort!.postMessage({ ms: result.ms, statuses: [...result.statuses] });
}

if (isMainThread) await main();
else await attack(workerData as { base: string; clients: number; end: number });
