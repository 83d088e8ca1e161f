import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Check } from '../src/ops/checks.ts';
import { createTestDatabase, type TestDatabase } from './support/databases.ts';
import { FakeTwilio } from './support/fake-twilio.ts';
import { startHotline, testConfig, TEST_SECRET, type TestHotline } from './support/hotline.ts';
import { BIN } from './support/server-process.ts';

/**
 * `nonmerci doctor` run as an operator would, against a fake Twilio account and a real HTTPS
 * address (a self-signed certificate trusted through NODE_EXTRA_CA_CERTS, in front of a running
 * hotline): all green on a good setup, and on a broken one each fault named with what to do.
 */

const LINE = '+33939000000';
const fake = new FakeTwilio();
let dir: string;
let tls: { key: string; cert: string; caFile: string };
let proxy: Server;
let publicUrl: string;
let upstream: { hotline: TestHotline; db: TestDatabase; base: string };

before(async () => {
  await fake.start();
  dir = mkdtempSync(join(tmpdir(), 'nonmerci-doctor-'));
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      caFile,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  tls = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(caFile, 'utf8'), caFile };
  // The reverse proxy of a real installation: HTTPS in front of a running hotline.
  const db = await createTestDatabase('sqlite');
  const hotline = await startHotline(testConfig(db.target));
  const base = await hotline.app().listen({ port: 0, host: '127.0.0.1' });
  upstream = { hotline, db, base };
  proxy = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    void fetch(`${base}${req.url ?? '/'}`).then(async (answer) => {
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  publicUrl = `https://localhost:${(proxy.address() as AddressInfo).port}`;
});

after(async () => {
  await fake.stop();
  await new Promise((resolve) => proxy?.close(resolve));
  await upstream?.hotline.close();
  await upstream?.db.drop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  fake.numbers.length = 0;
  fake.addNumber(LINE, {
    voiceUrl: `${publicUrl}/webhooks/twilio/voice`,
    smsUrl: `${publicUrl}/webhooks/twilio/sms`,
    statusCallback: `${publicUrl}/webhooks/twilio/status`,
  });
});

let folders = 0;
/** A fresh installation folder: its own data, settings pointing at the fake account. */
function installation(extra: Record<string, string> = {}) {
  const home = join(dir, `install-${++folders}`);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    NONMERCI_DATA_DIR: join(home, 'data'),
    NONMERCI_SECRET: TEST_SECRET,
    TWILIO_ACCOUNT_SID: fake.accountSid,
    TWILIO_AUTH_TOKEN: fake.authToken,
    TWILIO_API_URL: fake.url,
    HOTLINE_NUMBER: LINE,
    PUBLIC_URL: publicUrl,
    NODE_EXTRA_CA_CERTS: tls.caFile,
    ...extra,
  };
  return { home, env };
}

function cli(args: string[], env: Record<string, string>, cwd = dir) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function doctor(env: Record<string, string>) {
  const res = await cli(['doctor', '--json'], env);
  assert.equal(res.stderr, '', res.stderr);
  const { checks } = JSON.parse(res.stdout) as { checks: Check[] };
  return { code: res.code, checks, byId: new Map(checks.map((c) => [c.id, c])) };
}

describe('nonmerci doctor', () => {
  it('is all green on a good setup, and says so with exit status 0', async () => {
    const { env } = installation();
    assert.equal((await cli(['migrate'], env)).code, 0);
    const backup = await cli(['backup', join(dir, `good-${folders}.backup`)], env);
    assert.equal(backup.code, 0, backup.stdout + backup.stderr);
    const { code, checks, byId } = await doctor(env);
    assert.deepEqual(
      checks.filter((c) => !c.ok),
      [],
    );
    assert.equal(code, 0);
    for (const id of [
      'database',
      'migrations',
      'caps',
      'backup',
      'intake',
      'secret',
      'file_modes',
      'time_zone',
      'disk',
      'public_url',
      'provider_credentials',
      'webhooks',
    ])
      assert.ok(byId.has(id), `no "${id}" check`);
    assert.match(byId.get('webhooks')!.message, new RegExp(`${LINE.replace('+', '\\+')}`));
    assert.match(byId.get('backup')!.message, /today/);
    // Every check in the JSON has the documented fields, and nothing else.
    for (const check of checks)
      assert.deepEqual(Object.keys(check).sort(), ['fix', 'id', 'message', 'ok']);

    const text = await cli(['doctor'], env);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^✔ /m);
    assert.doesNotMatch(text.stdout, /^✘ /m);
    assert.match(text.stdout, /All good/);
  });

  it('names each fault of a broken setup with what to do, and exits 1', async () => {
    // Plain http, a number pointing elsewhere, tables never created.
    const { env } = installation({ PUBLIC_URL: 'http://hotline.example.org' });
    fake.numbers[0]!.smsUrl = 'https://old-server.example.org/sms';
    const { code, byId } = await doctor(env);
    assert.equal(code, 1);
    const failed = (id: string) => {
      const check = byId.get(id);
      assert.ok(check, `no "${id}" check`);
      assert.equal(check.ok, false, `${id}: ${check.message}`);
      assert.ok(check.fix, `${id} says what to do`);
      return check;
    };
    assert.match(failed('public_url').message, /not https/);
    const webhooks = failed('webhooks');
    assert.match(webhooks.message, /old-server\.example\.org/);
    assert.match(webhooks.fix!, /nonmerci connect twilio/);
    assert.match(failed('migrations').fix!, /migrate/);
    assert.equal(byId.get('provider_credentials')?.ok, true);

    const text = await cli(['doctor'], env);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^✘ .*not https/m);
    assert.match(text.stdout, /^ {4}→ /m);
    assert.match(text.stdout, /3 problems to fix/);
  });

  it('reports refused credentials and an https address that does not answer, without a stack trace', async () => {
    const { env } = installation({
      TWILIO_AUTH_TOKEN: 'not-the-token',
      PUBLIC_URL: 'https://localhost:9',
    });
    assert.equal((await cli(['migrate'], env)).code, 0);
    const res = await cli(['doctor'], env);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, '');
    assert.doesNotMatch(res.stdout, /\n\s+at /);
    const { byId } = await doctor(env);
    assert.equal(byId.get('provider_credentials')?.ok, false);
    assert.equal(byId.get('public_url')?.ok, false);
    assert.match(byId.get('public_url')!.message, /cannot be reached/);
  });

  it('says when a certificate is not trusted', async () => {
    const { env } = installation();
    delete env.NODE_EXTRA_CA_CERTS;
    assert.equal((await cli(['migrate'], env)).code, 0);
    const { byId } = await doctor(env);
    const check = byId.get('public_url')!;
    assert.equal(check.ok, false);
    assert.match(check.fix!, /certificate/);
  });

  it('changes nothing at the provider', async () => {
    const { env } = installation({ PUBLIC_URL: 'https://elsewhere.example.org' });
    await doctor(env);
    assert.equal(fake.numberUpdates.length, 0);
  });
});
