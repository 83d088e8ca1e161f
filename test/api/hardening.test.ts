/**
 * What an attack on a running server found, kept fixed: the Host check against DNS rebinding,
 * first-run setup from another machine, sign-in limits per address and overall, the bounded
 * password-hashing queue, and TRUST_PROXY for servers behind a reverse proxy.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { firstRunSetupCode } from '../../src/accounts/accounts.ts';
import type { SessionInfo } from '../../src/web/api/contract.ts';
import {
  ADMIN,
  ADMIN_PASSWORD,
  api,
  sessionCookie,
  setUp,
  startDashboard,
  type Dashboard,
} from '../support/dashboard.ts';
import { PUBLIC_URL, TEST_SECRET } from '../support/hotline.ts';

const PUBLIC_HOST = new URL(PUBLIC_URL).host;
const REMOTE = '203.0.113.9';

let d: Dashboard | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

async function start(overrides: Parameters<typeof startDashboard>[1] = {}) {
  d = await startDashboard('sqlite', overrides);
  return d;
}

const inject = (options: InjectOptions) => d!.app.inject(options);

const login = (username: string, password: string, extra: Partial<InjectOptions> = {}) =>
  inject({ method: 'POST', url: '/api/login', payload: { username, password }, ...extra });

const errorOf = (res: LightMyRequestResponse) => res.json<{ error: string; message: string }>();

describe('Host check (DNS rebinding)', () => {
  it('refuses a name that is neither PUBLIC_URL’s nor loopback with 421, on the API, setup, metrics and the dashboard', async () => {
    await start();
    const requests: (InjectOptions & { url: string })[] = [
      { method: 'GET', url: '/api/session' },
      {
        method: 'POST',
        url: '/api/setup',
        payload: { username: 'mallory', password: 'a long enough password' },
      },
      { method: 'GET', url: '/metrics' },
      { method: 'GET', url: '/' },
      { method: 'GET', url: '/contacts' },
    ];
    for (const host of [
      'rebind.attacker.example',
      'rebind.attacker.example:3000',
      '192.168.1.20',
    ]) {
      for (const r of requests) {
        const res = await inject({ ...r, headers: { host } });
        assert.equal(res.statusCode, 421, `${r.method} ${r.url} as ${host}: ${res.body}`);
        assert.equal(errorOf(res).error, 'host_not_allowed');
        assert.match(errorOf(res).message, /PUBLIC_URL/);
      }
    }
    // Nothing was created behind the refusals.
    assert.equal(await d!.hotline.accounts.setupNeeded(), true);
  });

  it('answers PUBLIC_URL’s name and the loopback names, whatever the port', async () => {
    await start();
    for (const host of [
      PUBLIC_HOST,
      `${PUBLIC_HOST}:443`,
      'localhost:3000',
      '127.0.0.1',
      '[::1]:8080',
      'HOTLINE.example.org',
    ]) {
      const res = await inject({ method: 'GET', url: '/api/session', headers: { host } });
      assert.equal(res.statusCode, 200, `${host}: ${res.body}`);
    }
  });

  it('answers /healthz under any name, for liveness probes that use a bare address', async () => {
    await start();
    const res = await inject({
      method: 'GET',
      url: '/healthz',
      headers: { host: '10.1.2.3:3000' },
    });
    assert.equal(res.statusCode, 200, res.body);
  });

  it('with TRUST_PROXY, checks the name the proxy forwards', async () => {
    await start({ trustProxy: ['loopback'] });
    const res = await inject({
      method: 'GET',
      url: '/api/session',
      headers: {
        host: 'localhost',
        'x-forwarded-host': 'rebind.attacker.example',
        'x-forwarded-for': REMOTE,
      },
    });
    assert.equal(res.statusCode, 421, res.body);
    const ok = await inject({
      method: 'GET',
      url: '/api/session',
      headers: { host: 'localhost', 'x-forwarded-host': PUBLIC_HOST, 'x-forwarded-for': REMOTE },
    });
    assert.equal(ok.statusCode, 200, ok.body);
  });
});

describe('first-run setup from another machine', () => {
  const setup = (payload: Record<string, unknown>, extra: Partial<InjectOptions> = {}) =>
    inject({ method: 'POST', url: '/api/setup', payload, ...extra });
  const account = { username: ADMIN, password: ADMIN_PASSWORD };
  const remote = { remoteAddress: REMOTE, headers: { host: PUBLIC_HOST } };

  it('needs the setup code printed at start; without it or with a wrong one, 403 and no account', async () => {
    await start();
    const info = await inject({ method: 'GET', url: '/api/session', ...remote });
    assert.equal(info.json<SessionInfo>().setupCodeNeeded, true);
    const none = await setup(account, remote);
    assert.equal(none.statusCode, 403, none.body);
    assert.equal(errorOf(none).error, 'setup_code_invalid');
    const wrong = await setup({ ...account, setupCode: 'not-the-code' }, remote);
    assert.equal(wrong.statusCode, 403, wrong.body);
    assert.equal(await d!.hotline.accounts.setupNeeded(), true);

    const right = await setup(
      { ...account, setupCode: ` ${firstRunSetupCode(TEST_SECRET)} ` },
      remote,
    );
    assert.equal(right.statusCode, 200, right.body);
    assert.equal(right.json<SessionInfo>().user?.username, ADMIN);
  });

  it('needs no code on the server itself (loopback, not forwarded)', async () => {
    await start();
    const info = await inject({ method: 'GET', url: '/api/session' });
    assert.equal(info.json<SessionInfo>().setupCodeNeeded, false);
    assert.equal((await setup(account)).statusCode, 200);
  });

  it('counts a request forwarded by a proxy on this machine as remote', async () => {
    await start();
    const res = await setup(account, { headers: { 'x-forwarded-for': REMOTE } });
    assert.equal(res.statusCode, 403, res.body);
  });

  it('derives one code per installation, the same in every process, and another for another secret', () => {
    const code = firstRunSetupCode(TEST_SECRET);
    assert.match(code, /^[\w-]{20}$/);
    assert.equal(firstRunSetupCode(TEST_SECRET), code);
    assert.notEqual(firstRunSetupCode(`${TEST_SECRET}x`), code);
  });
});

describe('sign-in limits', () => {
  it('refuses the 31st password check (setup, sign-in) from one address within a minute, whatever the user names, with 429 and Retry-After', async () => {
    await start();
    await setUp(d!.app); // hashes a password too: the first of the 30
    for (let i = 0; i < 29; i++) {
      const res = await login(`someone${i}`, 'wrong password');
      assert.equal(res.statusCode, 401, `attempt ${i + 1}: ${res.body}`);
    }
    const res = await login(ADMIN, ADMIN_PASSWORD);
    assert.equal(res.statusCode, 429, res.body);
    assert.equal(errorOf(res).error, 'too_many_requests');
    const wait = Number(res.headers['retry-after']);
    assert.ok(wait > 0 && wait <= 3600, `Retry-After: ${String(res.headers['retry-after'])}`);
    assert.equal(res.headers['set-cookie'], undefined);
  });

  it('without TRUST_PROXY, ignores X-Forwarded-For: a proxy’s visitors share its address', async () => {
    await start();
    await setUp(d!.app);
    for (let i = 0; i < 30; i++)
      await login(`someone${i}`, 'wrong password', {
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
    const operator = await login(ADMIN, ADMIN_PASSWORD, {
      headers: { 'x-forwarded-for': '192.0.2.44' },
    });
    assert.equal(operator.statusCode, 429, 'one attacker locked out everyone behind the proxy');
  });

  it('with TRUST_PROXY, one attacker’s lockout does not lock the operators out, and the audit log has their address', async () => {
    await start({ trustProxy: ['loopback'] });
    await setUp(d!.app);
    const attacker = { headers: { 'x-forwarded-for': '198.51.100.7' } };
    for (let i = 0; i < 30; i++) await login(`someone${i}`, 'wrong password', attacker);
    assert.equal((await login(ADMIN, ADMIN_PASSWORD, attacker)).statusCode, 429);
    const operator = await login(ADMIN, ADMIN_PASSWORD, {
      headers: { 'x-forwarded-for': '192.0.2.44, 10.0.0.1' },
    });
    // With a chain, the visitor is the last address not trusted: here 10.0.0.1 is not a trusted
    // proxy (only loopback is), so it is the visitor.
    assert.equal(operator.statusCode, 200, operator.body);
    const admin = {
      cookie: sessionCookie(operator),
      csrf: operator.json<SessionInfo>().csrfToken!,
    };
    const audit = (await api(d!.app, admin).get('/api/audit?limit=10')).json<{
      entries: { action: string; detail: unknown }[];
    }>();
    const logins = audit.entries.filter((e) => e.action === 'user.login');
    assert.deepEqual(logins[0]?.detail, { from: '10.0.0.1' });
  });

  it('refuses sign-ins beyond 120 a minute from all addresses together, but never the server’s own', async () => {
    await start({ trustProxy: ['loopback'] });
    await setUp(d!.app);
    let refused = 0;
    for (let i = 0; i < 125; i++) {
      const res = await login(`someone${i}`, 'wrong password', {
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
      if (res.statusCode === 429) refused++;
      else assert.equal(res.statusCode, 401, res.body);
    }
    assert.equal(refused, 5);
    const local = await login(ADMIN, ADMIN_PASSWORD);
    assert.equal(local.statusCode, 200, 'the operator on the server itself still signs in');
  });

  it('lets a browser where the operator signed in before through a flood that fills the overall limit', async () => {
    await start({ trustProxy: ['loopback'] });
    await setUp(d!.app);
    const office = { 'x-forwarded-for': '192.0.2.44' };
    const first = await login(ADMIN, ADMIN_PASSWORD, { headers: office });
    assert.equal(first.statusCode, 200, first.body);
    const device = [first.headers['set-cookie']]
      .flat()
      .find((c) => String(c).startsWith('__Host-nonmerci_device='));
    assert.ok(device, 'a known-device cookie is set on sign-in');
    const attributes = device.toLowerCase();
    for (const wanted of ['httponly', 'secure', 'samesite=strict', 'path=/'])
      assert.ok(attributes.includes(wanted), device);
    const deviceCookie = device.split(';')[0]!;

    // The flood, from the same office address too (its 10 attempts past 30 stop at the
    // per-address limit and do not count overall): 1 + 30 + 100 > 120.
    for (let i = 0; i < 140; i++)
      await login(`someone${i}`, 'wrong password', {
        headers: { 'x-forwarded-for': i < 40 ? '192.0.2.44' : `198.51.100.${i}` },
      });
    const stranger = await login(ADMIN, ADMIN_PASSWORD, {
      headers: { 'x-forwarded-for': '192.0.2.99' },
    });
    assert.equal(stranger.statusCode, 429, 'a new browser waits like everyone');
    const operator = await login(ADMIN, ADMIN_PASSWORD, {
      headers: { ...office, cookie: deviceCookie },
    });
    assert.equal(operator.statusCode, 200, operator.body);
    // The cookie is for that user name only, and is no password.
    const other = await login('bob', ADMIN_PASSWORD, {
      headers: { ...office, cookie: deviceCookie },
    });
    assert.equal(other.statusCode, 429);
    const wrong = await login(ADMIN, 'not the password', {
      headers: { ...office, cookie: deviceCookie },
    });
    assert.equal(wrong.statusCode, 401);
  });

  it('bounds the password-hashing queue: a burst beyond it is refused at once with 429, none fails', async () => {
    await start({ trustProxy: ['loopback'] });
    await setUp(d!.app);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        login(`someone${i}`, 'wrong password', {
          headers: { 'x-forwarded-for': `198.51.100.${i}` },
        }),
      ),
    );
    const statuses = answers.map((r) => r.statusCode);
    assert.ok(
      statuses.every((s) => s === 401 || s === 429),
      statuses.join(' '),
    );
    const busy = answers.filter((r) => r.statusCode === 429);
    // One hashed at a time and 16 waiting: the rest cannot all have been queued (how many exactly
    // depends on how fast the machine answers; src/accounts/password.test.ts counts it exactly).
    assert.ok(busy.length > 0, `${busy.length} refused`);
    for (const r of busy) {
      assert.equal(errorOf(r).error, 'too_many_requests');
      assert.equal(r.headers['retry-after'], '5');
    }
  });
});

describe('malformed URLs', () => {
  it('answers a bad percent-encoding or an over-long parameter with a 4xx in the API’s own shape', async () => {
    await start();
    for (const url of ['/api/callers/%E0%A4%A', `/api/callers/${'9'.repeat(200)}`]) {
      const res = await inject({ method: 'GET', url });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${url}: ${res.statusCode}`);
      const body = errorOf(res);
      assert.equal(typeof body.error, 'string', res.body);
      assert.equal(typeof body.message, 'string', res.body);
      assert.ok(!('statusCode' in body), res.body);
    }
  });
});
