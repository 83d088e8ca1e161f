import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { Budget, SessionInfo, UserSummary } from '../../src/web/api/contract.ts';
import { DIALECTS } from '../support/databases.ts';
import {
  ADMIN,
  ADMIN_PASSWORD,
  addModerator,
  api,
  auditEntry,
  ok,
  sessionCookie,
  setUp,
  signIn,
  startDashboard,
  type AuditEntryRow,
  type Dashboard,
  type SignedIn,
} from '../support/dashboard.ts';
import { PUBLIC_URL } from '../support/hotline.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Fills a route's parameters with plausible values, so only the guard can refuse it. */
const concrete = (url: string) => url.replace(':list', 'blocked').replace(/:\w+/g, '1');

const PUBLIC_API = new Set(['GET /api/session', 'POST /api/setup', 'POST /api/login']);

/** A refusal because of the state of things (the contract's 409), nothing done. */
function conflict(res: LightMyRequestResponse): void {
  assert.ok(res.statusCode >= 400, `${res.statusCode}: ${res.body}`);
  assert.equal(res.json<{ error: string }>().error, 'conflict', res.body);
}

for (const dialect of DIALECTS) {
  describe(`dashboard accounts [${dialect.name}]`, { skip: dialect.skip }, () => {
    let d: Dashboard;
    beforeEach(async () => {
      d = await startDashboard(dialect.name);
    });
    afterEach(() => d?.close());

    const session = async (cookie?: string) =>
      ok<SessionInfo>(
        await d.app.inject({
          method: 'GET',
          url: '/api/session',
          ...(cookie ? { headers: { cookie } } : {}),
        }),
      );
    const lineId = () => d.hotline.defaultLine.id;

    describe('first-run setup', () => {
      it('says setup is needed while no account exists, and no one is signed in', async () => {
        const info = await session();
        assert.equal(info.setupNeeded, true);
        assert.equal(info.user, null);
        assert.equal(info.csrfToken, null);
      });

      it('creates the first admin and signs them in', async () => {
        const res = await d.app.inject({
          method: 'POST',
          url: '/api/setup',
          payload: { username: ADMIN, password: ADMIN_PASSWORD },
        });
        assert.equal(res.statusCode, 200, res.body);
        const info = res.json<SessionInfo>();
        assert.equal(info.setupNeeded, false);
        assert.equal(info.user?.username, ADMIN);
        assert.equal(info.user?.role, 'admin');
        assert.ok(info.csrfToken && info.csrfToken.length >= 16);

        const cookie = sessionCookie(res);
        const again = await session(cookie);
        assert.deepEqual(again.user, info.user);
        assert.equal(again.csrfToken, info.csrfToken);
        assert.equal((await session()).setupNeeded, false, 'anyone now sees the sign-in page');
        // The new admin can use admin routes at once.
        ok(await api(d.app, { cookie, csrf: info.csrfToken }).get('/api/users'));
      });

      it('refuses a second setup as a conflict, whatever the name', async () => {
        await setUp(d.app);
        for (const username of [ADMIN, 'mallory']) {
          const res = await d.app.inject({
            method: 'POST',
            url: '/api/setup',
            payload: { username, password: 'another long password' },
          });
          conflict(res);
          assert.equal(res.headers['set-cookie'], undefined);
        }
        const users = ok<UserSummary[]>(
          await api(d.app, await signIn(d.app, ADMIN, ADMIN_PASSWORD)).get('/api/users'),
        );
        assert.deepEqual(
          users.map((u) => u.username),
          [ADMIN],
        );
        const login = await d.app.inject({
          method: 'POST',
          url: '/api/login',
          payload: { username: 'mallory', password: 'another long password' },
        });
        assert.equal(login.statusCode, 401);
      });

      it('lets exactly one of two simultaneous setups through', async () => {
        const setup = (username: string) =>
          d.app.inject({
            method: 'POST',
            url: '/api/setup',
            payload: { username, password: ADMIN_PASSWORD },
          });
        const results = await Promise.all([setup('alice'), setup('mallory')]);
        const winners = results.filter((r) => r.statusCode === 200);
        assert.equal(winners.length, 1, results.map((r) => r.statusCode).join(', '));
        conflict(results.find((r) => r.statusCode !== 200)!);
        const winner = winners[0]!.json<SessionInfo>().user!.username;
        const users = ok<UserSummary[]>(
          await api(d.app, await signIn(d.app, winner, ADMIN_PASSWORD)).get('/api/users'),
        );
        assert.deepEqual(
          users.map((u) => u.username),
          [winner],
        );
      });

      it('refuses a password shorter than 12 characters with a message, and creates nobody', async () => {
        const res = await d.app.inject({
          method: 'POST',
          url: '/api/setup',
          payload: { username: ADMIN, password: 'short pass' },
        });
        assert.equal(res.statusCode, 400);
        assert.match(res.json<{ message: string }>().message, /12 characters/);
        assert.equal((await session()).setupNeeded, true);
      });

      it('refuses a form-encoded setup (how a cross-site form would post) with 415', async () => {
        const res = await d.app.inject({
          method: 'POST',
          url: '/api/setup',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ username: ADMIN, password: ADMIN_PASSWORD }).toString(),
        });
        assert.equal(res.statusCode, 415, res.body);
        assert.equal((await session()).setupNeeded, true);
      });

      it('refuses a text/plain setup with 415 too', async () => {
        const res = await d.app.inject({
          method: 'POST',
          url: '/api/setup',
          headers: { 'content-type': 'text/plain' },
          payload: JSON.stringify({ username: ADMIN, password: ADMIN_PASSWORD }),
        });
        assert.equal(res.statusCode, 415, res.body);
        assert.equal((await session()).setupNeeded, true);
      });

      it('audits the setup with the new admin as actor', async () => {
        const admin = await setUp(d.app);
        const entry = await auditEntry(d.app, admin, 'user.setup');
        assert.equal(entry.actor, ADMIN);
        assert.equal(entry.target, ADMIN);
      });
    });

    describe('ADMIN_PASSWORD at start', () => {
      it('creates the account "admin", so no setup page is shown', async () => {
        await d.close();
        d = await startDashboard(dialect.name, { adminPassword: 'from the environment 1' });
        assert.equal((await session()).setupNeeded, false);
        const admin = await signIn(d.app, 'admin', 'from the environment 1');
        assert.equal(admin.info.user?.role, 'admin');
        const entry = await auditEntry(d.app, admin, 'user.create');
        assert.equal(entry.actor, 'ADMIN_PASSWORD');
        assert.equal(entry.target, 'admin');
        const setup = await d.app.inject({
          method: 'POST',
          url: '/api/setup',
          payload: { username: ADMIN, password: ADMIN_PASSWORD },
        });
        conflict(setup);
      });
    });

    describe('sign-in', () => {
      beforeEach(() => setUp(d.app));

      it('refuses a wrong password with 401 and the same message as an unknown user', async () => {
        const login = (username: string, password: string) =>
          d.app.inject({ method: 'POST', url: '/api/login', payload: { username, password } });
        const wrong = await login(ADMIN, 'not the right password');
        const unknown = await login('nobody', ADMIN_PASSWORD);
        assert.equal(wrong.statusCode, 401);
        assert.equal(unknown.statusCode, 401);
        assert.deepEqual(wrong.json(), unknown.json());
        assert.equal(wrong.headers['set-cookie'], undefined);
        ok(await login(ADMIN, ADMIN_PASSWORD));
      });

      it('records the time of the last sign-in', async () => {
        const at = d.hotline.clock.now() + 5 * 60_000;
        d.hotline.clock.set(at);
        const admin = await signIn(d.app, ADMIN, ADMIN_PASSWORD);
        const users = ok<UserSummary[]>(await api(d.app, admin).get('/api/users'));
        assert.equal(users[0]!.lastLoginAt, at);
      });

      it('refuses every non-public API route without a session cookie with 401', async () => {
        const guarded = d.routes.filter(
          (r) =>
            r.url.startsWith('/api/') &&
            r.method !== 'HEAD' &&
            !PUBLIC_API.has(`${r.method} ${r.url}`),
        );
        assert.ok(guarded.length >= 25, `only ${guarded.length} API routes seen`);
        for (const r of guarded) {
          const res = await d.app.inject({
            method: r.method as 'GET',
            url: concrete(r.url),
            ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
          });
          assert.equal(res.statusCode, 401, `${r.method} ${r.url}: ${res.body}`);
          assert.equal(res.json<{ error: string }>().error, 'unauthorized');
        }
      });

      it('refuses an unknown session cookie with 401', async () => {
        const res = await d.app.inject({
          method: 'GET',
          url: '/api/overview',
          headers: { cookie: 'nonmerci_session=forged-token-of-no-session' },
        });
        assert.equal(res.statusCode, 401);
      });

      it('ends a session unused for 12 hours', async () => {
        const admin = await signIn(d.app, ADMIN, ADMIN_PASSWORD);
        const a = api(d.app, admin);
        d.hotline.clock.advance(11 * HOUR);
        ok(await a.get('/api/overview'));
        // That request counted as activity: the idle time starts again.
        d.hotline.clock.advance(11 * HOUR);
        ok(await a.get('/api/overview'));
        d.hotline.clock.advance(12 * HOUR);
        const res = await a.get('/api/overview');
        assert.equal(res.statusCode, 401);
        assert.match(res.json<{ message: string }>().message, /session has ended/);
        assert.equal((await session(admin.cookie)).user, null);
        // Moving the clock back does not revive it: the session is gone.
        d.hotline.clock.advance(-12 * HOUR);
        assert.equal((await a.get('/api/overview')).statusCode, 401);
      });

      it('ends a session 14 days after sign-in, however busy', async () => {
        const admin = await signIn(d.app, ADMIN, ADMIN_PASSWORD);
        const a = api(d.app, admin);
        let elapsed = 0;
        while (elapsed + 11 * HOUR < 14 * DAY) {
          d.hotline.clock.advance(11 * HOUR);
          elapsed += 11 * HOUR;
          ok(await a.get('/api/overview'));
        }
        d.hotline.clock.advance(14 * DAY - elapsed);
        const res = await a.get('/api/overview');
        assert.equal(res.statusCode, 401);
        assert.match(res.json<{ message: string }>().message, /session has ended/);
      });

      it('ends the session on logout: the cookie no longer opens anything', async () => {
        const admin = await signIn(d.app, ADMIN, ADMIN_PASSWORD);
        const other = await signIn(d.app, ADMIN, ADMIN_PASSWORD);
        const res = await api(d.app, admin).post('/api/logout');
        assert.equal(res.statusCode, 204, res.body);
        const cleared = [res.headers['set-cookie']]
          .flat()
          .find((c) => c?.startsWith('__Host-nonmerci_session='));
        assert.match(cleared ?? '', /^__Host-nonmerci_session=;/);
        assert.equal((await api(d.app, admin).get('/api/overview')).statusCode, 401);
        assert.equal((await session(admin.cookie)).user, null);
        ok(await api(d.app, other).get('/api/overview'));
      });
    });

    describe('CSRF token', () => {
      let admin: SignedIn;
      beforeEach(async () => {
        admin = await setUp(d.app);
      });
      const pause = (headers: Record<string, string>) =>
        d.app.inject({
          method: 'POST',
          url: `/api/lines/${lineId()}/pause`,
          headers: { cookie: admin.cookie, ...headers },
          payload: { paused: true },
        });
      const paused = async () =>
        ok<{ lines: { paused: boolean }[] }>(await api(d.app, admin).get('/api/overview')).lines[0]!
          .paused;

      it('refuses a state change without the token with 403', async () => {
        const res = await pause({});
        assert.equal(res.statusCode, 403);
        assert.equal(res.json<{ error: string }>().error, 'csrf_invalid');
        assert.equal(await paused(), false);
      });

      it("refuses a wrong token, and another session's token, with 403", async () => {
        const other = await signIn(d.app, ADMIN, ADMIN_PASSWORD);
        assert.notEqual(other.csrf, admin.csrf);
        for (const token of ['x'.repeat(admin.csrf.length), other.csrf, admin.csrf.slice(1), '']) {
          const res = await pause({ 'x-csrf-token': token });
          assert.equal(res.statusCode, 403, `token ${token}`);
        }
        assert.equal(await paused(), false);
      });

      it('accepts the session token, as read from GET /api/session', async () => {
        const token = (await session(admin.cookie)).csrfToken!;
        ok(await pause({ 'x-csrf-token': token }));
        assert.equal(await paused(), true);
      });

      it('is required on every state-changing method (POST, PUT, PATCH, DELETE)', async () => {
        const noToken = { cookie: admin.cookie, 'content-type': 'application/json' };
        const requests = [
          { method: 'POST', url: '/api/rules', payload: { kind: 'keyword', value: 'connard' } },
          { method: 'PUT', url: '/api/budget', payload: {} },
          { method: 'PATCH', url: `/api/lines/${lineId()}`, payload: { replyText: 'Changed' } },
          { method: 'DELETE', url: `/api/users/${admin.info.user!.id}` },
          { method: 'POST', url: '/api/logout', payload: {} },
        ] as const;
        for (const r of requests) {
          const res = await d.app.inject({ ...r, headers: noToken });
          assert.equal(res.statusCode, 403, `${r.method} ${r.url}: ${res.body}`);
        }
        ok(await api(d.app, admin).get('/api/overview'), 'logout without a token did nothing');
      });
    });

    describe('roles', () => {
      let admin: SignedIn;
      let moderator: SignedIn;
      beforeEach(async () => {
        admin = await setUp(d.app);
        moderator = (await addModerator(d.app, admin)).session;
      });

      it('forbids a moderator the budget, line settings and webhooks, SMS price, accounts, audit log and simulator (403)', async () => {
        const m = api(d.app, moderator);
        const adminId = admin.info.user!.id;
        const forbidden = [
          () => m.get('/api/lines'),
          () => m.post('/api/sms-cost', { text: 'Bonjour' }),
          () => m.get('/api/budget'),
          () =>
            m.put('/api/budget', {
              segmentPriceMicros: 1,
              dailyMicros: 1,
              monthlyMicros: 1,
              alertThresholds: [],
            }),
          () => m.patch(`/api/lines/${lineId()}`, { replyText: 'Changed by a moderator' }),
          () =>
            m.raw({
              method: 'PUT',
              url: `/api/lines/${lineId()}/voice-audio`,
              headers: { 'content-type': 'audio/mpeg' },
              payload: Buffer.from('ID3 fake mp3'),
            }),
          () => m.delete(`/api/lines/${lineId()}/voice-audio`),
          () => m.get('/api/users'),
          () =>
            m.post('/api/users', { username: 'eve', password: 'eve password 12', role: 'admin' }),
          () => m.patch(`/api/users/${adminId}`, { role: 'moderator' }),
          () => m.delete(`/api/users/${adminId}`),
          () => m.get('/api/audit'),
          () =>
            m.post('/api/simulator/contact', {
              lineId: lineId(),
              from: '06 12 34 56 78',
              kind: 'call',
            }),
          () => m.get(`/api/simulator/inbox?lineId=${lineId()}&from=0612345678`),
        ];
        for (const request of forbidden) {
          const res = await request();
          assert.equal(
            res.statusCode,
            403,
            `${res.raw.req.method} ${res.raw.req.url}: ${res.body}`,
          );
          assert.equal(res.json<{ error: string }>().error, 'forbidden');
        }
        // Nothing changed behind the refusals.
        const a = api(d.app, admin);
        assert.equal(ok<Budget>(await a.get('/api/budget')).source, 'environment');
        const users = ok<UserSummary[]>(await a.get('/api/users'));
        assert.deepEqual(
          users.map((u) => [u.username, u.role]),
          [
            [ADMIN, 'admin'],
            ['bob', 'moderator'],
          ],
        );
        const lines = ok<{ replyText: string }[]>(await a.get('/api/lines'));
        assert.notEqual(lines[0]!.replyText, 'Changed by a moderator');
        const contacts = ok<{ contacts: unknown[] }>(await a.get('/api/contacts'));
        assert.equal(contacts.contacts.length, 0, 'the simulator was not driven');
      });

      it('lets a moderator read contacts, overview and line states, and manage rules, pause and shield', async () => {
        const m = api(d.app, moderator);
        const overview = ok<{ lines: { id: number; number: string }[] }>(
          await m.get('/api/overview'),
        );
        assert.deepEqual(
          overview.lines.map((l) => l.id),
          [lineId()],
        );
        ok(await m.get('/api/overview/chart?range=7d'));
        ok(await m.get('/api/contacts'));
        ok(await m.get('/api/rules'));
        const rule = ok<{ id: number; createdBy: string }>(
          await m.post('/api/rules', { kind: 'keyword', value: 'connard' }),
        );
        assert.equal(rule.createdBy, 'bob');
        assert.equal((await m.delete(`/api/rules/${rule.id}`)).statusCode, 204);
        ok(await m.post('/api/lists/blocked', { number: '06 12 34 56 78', on: true }));
        assert.equal(
          ok<{ paused: boolean }>(await m.post(`/api/lines/${lineId()}/pause`, { paused: true }))
            .paused,
          true,
        );
        assert.equal(
          ok<{ shield: { mode: string } }>(
            await m.post(`/api/lines/${lineId()}/shield`, { mode: 'on' }),
          ).shield.mode,
          'on',
        );
        const entry = await auditEntry(d.app, admin, 'line.pause');
        assert.equal(entry.actor, 'bob');
      });

      it('lets a moderator change their own password', async () => {
        const res = await api(d.app, moderator).post('/api/account/password', {
          currentPassword: 'moderator password 1',
          newPassword: 'moderator password 2',
        });
        assert.equal(res.statusCode, 204, res.body);
        await signIn(d.app, 'bob', 'moderator password 2');
      });
    });

    describe('own password', () => {
      let admin: SignedIn;
      beforeEach(async () => {
        admin = await setUp(d.app);
      });
      const change = (who: SignedIn, currentPassword: string, newPassword: string) =>
        api(d.app, who).post('/api/account/password', { currentPassword, newPassword });
      const login = (password: string) =>
        d.app.inject({
          method: 'POST',
          url: '/api/login',
          payload: { username: ADMIN, password },
        });

      it('refuses a wrong current password with 400 and keeps the old one', async () => {
        const res = await change(admin, 'not my password', 'a brand new password');
        assert.equal(res.statusCode, 400);
        assert.match(res.json<{ message: string }>().message, /current password/);
        ok(await login(ADMIN_PASSWORD));
        assert.equal((await login('a brand new password')).statusCode, 401);
      });

      it('refuses a new password under 12 characters', async () => {
        const res = await change(admin, ADMIN_PASSWORD, 'too short');
        assert.equal(res.statusCode, 400);
        ok(await login(ADMIN_PASSWORD));
      });

      it('replaces the password and ends the other sessions, keeping this one', async () => {
        const laptop = await signIn(d.app, ADMIN, ADMIN_PASSWORD);
        const res = await change(admin, ADMIN_PASSWORD, 'a brand new password');
        assert.equal(res.statusCode, 204, res.body);
        assert.equal((await login(ADMIN_PASSWORD)).statusCode, 401);
        ok(await login('a brand new password'));
        ok(await api(d.app, admin).get('/api/overview'), 'the browser that changed it stays in');
        assert.equal((await api(d.app, laptop).get('/api/overview')).statusCode, 401);
        const entry = await auditEntry(d.app, admin, 'user.password');
        assert.equal(entry.actor, ADMIN);
        assert.equal(entry.target, ADMIN);
        assert.ok(!JSON.stringify(entry).includes('brand new'), 'no password in the audit log');
      });
    });

    describe('accounts, by an admin', () => {
      let admin: SignedIn;
      let a: ReturnType<typeof api>;
      beforeEach(async () => {
        admin = await setUp(d.app);
        a = api(d.app, admin);
      });
      const users = async () => ok<UserSummary[]>(await a.get('/api/users'));
      const audit = async () => ok<{ entries: AuditEntryRow[] }>(await a.get('/api/audit')).entries;

      it('creates a moderator, listed and audited; a taken name is a conflict', async () => {
        const created = ok<UserSummary>(
          await a.post('/api/users', {
            username: 'bob',
            password: 'moderator password 1',
            role: 'moderator',
          }),
        );
        assert.equal(created.username, 'bob');
        assert.equal(created.role, 'moderator');
        assert.equal(created.lastLoginAt, null);
        assert.equal(created.createdAt, d.hotline.clock.now());
        assert.ok(!('passwordHash' in created), 'the hash never leaves the server');
        assert.deepEqual(
          (await users()).map((u) => u.username),
          [ADMIN, 'bob'],
        );
        const again = await a.post('/api/users', {
          username: 'bob',
          password: 'another password 2',
          role: 'admin',
        });
        conflict(again);
        const [entry] = (await audit()).filter((e) => e.action === 'user.create');
        assert.deepEqual(
          [entry?.actor, entry?.target, entry?.detail],
          [ADMIN, 'bob', { role: 'moderator' }],
        );
        assert.ok(!JSON.stringify(await audit()).includes('$scrypt$'));
      });

      it('refuses invalid accounts with 400: bad role, short password, bad name', async () => {
        const bad = [
          { username: 'bob', password: 'moderator password 1', role: 'root' },
          { username: 'bob', password: 'moderator password 1' },
          { username: 'bob', password: 'short', role: 'moderator' },
          { username: 'b', password: 'moderator password 1', role: 'moderator' },
          { username: 'bob smith', password: 'moderator password 1', role: 'moderator' },
          { username: 42, password: 'moderator password 1', role: 'moderator' },
        ];
        for (const body of bad) {
          const res = await a.post('/api/users', body);
          assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
        }
        assert.equal((await users()).length, 1);
      });

      it("changes a user's role, which applies to their open session at once", async () => {
        const { user, session: bob } = await addModerator(d.app, admin);
        assert.equal((await api(d.app, bob).get('/api/budget')).statusCode, 403);
        const changed = ok<UserSummary>(await a.patch(`/api/users/${user.id}`, { role: 'admin' }));
        assert.equal(changed.role, 'admin');
        assert.equal((await users()).find((u) => u.id === user.id)?.role, 'admin');
        ok(await api(d.app, bob).get('/api/budget'));
        ok(await a.patch(`/api/users/${user.id}`, { role: 'moderator' }));
        assert.equal((await api(d.app, bob).get('/api/budget')).statusCode, 403);
        const entry = await auditEntry(d.app, admin, 'user.role');
        assert.deepEqual(
          [entry.actor, entry.target, entry.detail],
          [ADMIN, 'bob', { role: 'moderator' }],
        );
      });

      it("resets a user's password, ending their sessions", async () => {
        const { user, session: bob, password } = await addModerator(d.app, admin);
        ok(await a.patch(`/api/users/${user.id}`, { password: 'reset by the admin 1' }));
        assert.equal((await api(d.app, bob).get('/api/overview')).statusCode, 401);
        const old = await d.app.inject({
          method: 'POST',
          url: '/api/login',
          payload: { username: 'bob', password },
        });
        assert.equal(old.statusCode, 401);
        await signIn(d.app, 'bob', 'reset by the admin 1');
        ok(await a.get('/api/overview'), "the admin's own session is untouched");
        const entry = await auditEntry(d.app, admin, 'user.password');
        assert.deepEqual([entry.actor, entry.target], [ADMIN, 'bob']);
      });

      it('deletes a user, ending their sessions', async () => {
        const { user, session: bob, password } = await addModerator(d.app, admin);
        const res = await a.delete(`/api/users/${user.id}`);
        assert.equal(res.statusCode, 204, res.body);
        assert.deepEqual(
          (await users()).map((u) => u.username),
          [ADMIN],
        );
        assert.equal((await api(d.app, bob).get('/api/overview')).statusCode, 401);
        const login = await d.app.inject({
          method: 'POST',
          url: '/api/login',
          payload: { username: 'bob', password },
        });
        assert.equal(login.statusCode, 401);
        const entry = await auditEntry(d.app, admin, 'user.delete');
        assert.deepEqual([entry.actor, entry.target], [ADMIN, 'bob']);
        // A new account never inherits the old one's sessions, even if it gets the same id.
        const eve = await addModerator(d.app, admin, 'eve', 'eve password 123');
        assert.notEqual(eve.user.id, user.id);
        assert.equal((await api(d.app, bob).get('/api/overview')).statusCode, 401);
      });

      it('answers 404 for an unknown user and 400 for an id that is not one', async () => {
        assert.equal((await a.patch('/api/users/999', { role: 'admin' })).statusCode, 404);
        assert.equal((await a.delete('/api/users/999')).statusCode, 404);
        for (const id of ['abc', '-1', '0', '1.5']) {
          assert.equal((await a.delete(`/api/users/${id}`)).statusCode, 400, id);
          assert.equal((await a.patch(`/api/users/${id}`, { role: 'admin' })).statusCode, 400, id);
        }
        assert.equal((await users()).length, 1);
      });

      it('never deletes nor demotes the last admin (a conflict)', async () => {
        const me = admin.info.user!.id;
        conflict(await a.delete(`/api/users/${me}`));
        const demote = await a.patch(`/api/users/${me}`, { role: 'moderator' });
        conflict(demote);
        assert.match(demote.json<{ message: string }>().message, /last administrator/);
        assert.equal((await users())[0]!.role, 'admin');

        // With a second admin, one may go; then the other is the last again.
        const { user: bob } = await addModerator(d.app, admin);
        ok(await a.patch(`/api/users/${bob.id}`, { role: 'admin' }));
        ok(await a.patch(`/api/users/${me}`, { role: 'moderator' }));
        const bobSession = await signIn(d.app, 'bob', 'moderator password 1');
        const b = api(d.app, bobSession);
        conflict(await b.delete(`/api/users/${bob.id}`));
        conflict(await b.patch(`/api/users/${bob.id}`, { role: 'moderator' }));
        const now = ok<UserSummary[]>(await b.get('/api/users'));
        assert.deepEqual(
          now.filter((u) => u.role === 'admin').map((u) => u.username),
          ['bob'],
        );
        assert.equal((await a.get('/api/users')).statusCode, 403, 'alice is a moderator now');
      });

      it('records every account change in the audit log, newest first, with its actor', async () => {
        const { user } = await addModerator(d.app, admin);
        ok(await a.patch(`/api/users/${user.id}`, { role: 'admin' }));
        ok(await a.patch(`/api/users/${user.id}`, { password: 'reset by the admin 1' }));
        assert.equal((await a.delete(`/api/users/${user.id}`)).statusCode, 204);
        const all = await audit();
        const entries = all.filter(
          (e) => e.action.startsWith('user.') && e.action !== 'user.login',
        );
        // Sign-ins are logged too, with the address they came from.
        const login = all.find((e) => e.action === 'user.login' && e.target === 'bob');
        assert.deepEqual(login?.detail, { from: '127.0.0.1' });
        assert.deepEqual(
          entries.map((e) => [e.action, e.actor, e.target]),
          [
            ['user.delete', ADMIN, 'bob'],
            ['user.password', ADMIN, 'bob'],
            ['user.role', ADMIN, 'bob'],
            ['user.create', ADMIN, 'bob'],
            ['user.setup', ADMIN, ADMIN],
          ],
        );
        const ids = entries.map((e) => e.id);
        assert.deepEqual(
          ids,
          [...ids].sort((x, y) => y - x),
        );
      });

      it('pages the audit log with before and limit', async () => {
        for (const name of ['bob', 'carol', 'dave'])
          await addModerator(d.app, admin, name, `${name} password 123`);
        type AuditPage = { entries: AuditEntryRow[]; nextBefore: number | null };
        const first = ok<AuditPage>(await a.get('/api/audit?limit=2'));
        assert.equal(first.entries.length, 2);
        assert.equal(first.nextBefore, first.entries[1]!.id);
        const rest = ok<AuditPage>(await a.get(`/api/audit?limit=2&before=${first.nextBefore}`));
        assert.ok(rest.entries.every((e) => e.id < first.nextBefore!));
        const paged = [...first.entries, ...rest.entries];
        let next = rest.nextBefore;
        while (next !== null) {
          const page = ok<AuditPage>(await a.get(`/api/audit?limit=2&before=${next}`));
          paged.push(...page.entries);
          next = page.nextBefore;
        }
        const whole = ok<AuditPage>(await a.get('/api/audit?limit=100'));
        assert.deepEqual(paged, whole.entries);
        assert.deepEqual(
          paged
            .filter((e) => e.action === 'user.create' || e.action === 'user.setup')
            .map((e) => e.target),
          ['dave', 'carol', 'bob', ADMIN],
        );
      });
    });

    describe('conflicts', () => {
      it('answers a second setup with 409', async () => {
        await setUp(d.app);
        const res = await d.app.inject({
          method: 'POST',
          url: '/api/setup',
          payload: { username: 'mallory', password: 'another long password' },
        });
        assert.equal(res.statusCode, 409, res.body);
      });

      it('answers a taken user name with 409', async () => {
        const admin = await setUp(d.app);
        const res = await api(d.app, admin).post('/api/users', {
          username: ADMIN,
          password: 'another long password',
          role: 'moderator',
        });
        assert.equal(res.statusCode, 409, res.body);
      });

      it('answers deleting or demoting the last admin with 409', async () => {
        const admin = await setUp(d.app);
        const me = admin.info.user!.id;
        assert.equal((await api(d.app, admin).delete(`/api/users/${me}`)).statusCode, 409);
        const demote = await api(d.app, admin).patch(`/api/users/${me}`, { role: 'moderator' });
        assert.equal(demote.statusCode, 409);
      });
    });
  });
}

describe('session cookie and sign-in limits [sqlite]', () => {
  let d: Dashboard;
  beforeEach(async () => {
    d = await startDashboard('sqlite');
    await setUp(d.app);
  });
  afterEach(() => d?.close());

  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    d.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username, password },
      headers,
    });

  const sessionCookieOf = (res: { headers: Record<string, unknown> }, name: string) =>
    [res.headers['set-cookie']].flat().find((c): c is string => String(c).startsWith(`${name}=`));

  it('sets the session cookie __Host-, Secure, HttpOnly, SameSite=Strict, on the whole site when PUBLIC_URL is https', async () => {
    assert.ok(PUBLIC_URL.startsWith('https://'));
    // Whatever address the dashboard was reached at: behind a TLS proxy the server sees plain HTTP.
    for (const host of [new URL(PUBLIC_URL).host, 'localhost:3000']) {
      const res = await login(ADMIN, ADMIN_PASSWORD, { host });
      assert.equal(sessionCookieOf(res, 'nonmerci_session'), undefined, 'no unprefixed cookie');
      const cookie = sessionCookieOf(res, '__Host-nonmerci_session');
      assert.ok(cookie, `${host}: ${String(res.headers['set-cookie'])}`);
      const attributes = cookie.split(';').map((p) => p.trim().toLowerCase());
      for (const wanted of ['secure', 'httponly', 'samesite=strict', 'path=/'])
        assert.ok(attributes.includes(wanted), `${wanted} missing: ${cookie}`);
      assert.ok(
        !attributes.some((a) => a.startsWith('domain=')),
        '__Host- cookies carry no Domain',
      );
      assert.equal(
        attributes.find((p) => p.startsWith('max-age=')),
        `max-age=${14 * 86_400}`,
      );
      assert.equal(
        (
          await d.app.inject({
            method: 'GET',
            url: '/api/overview',
            headers: { cookie: cookie.split(';')[0]!, host },
          })
        ).statusCode,
        200,
      );
    }
  });

  it('reads only the __Host- cookie over https: an unprefixed one (set by a neighbouring site) opens nothing', async () => {
    const res = await login(ADMIN, ADMIN_PASSWORD);
    const token = sessionCookieOf(res, '__Host-nonmerci_session')!.split(';')[0]!.split('=')[1]!;
    const tossed = await d.app.inject({
      method: 'GET',
      url: '/api/overview',
      headers: { cookie: `nonmerci_session=${token}` },
    });
    assert.equal(tossed.statusCode, 401);
  });

  it('sets a plain HttpOnly, SameSite=Strict cookie, not Secure, when PUBLIC_URL is http', async () => {
    await d.close();
    d = await startDashboard('sqlite', { publicUrl: 'http://127.0.0.1:3000' });
    await setUp(d.app);
    const res = await login(ADMIN, ADMIN_PASSWORD);
    const cookie = sessionCookieOf(res, 'nonmerci_session');
    assert.ok(cookie, String(res.headers['set-cookie']));
    const attributes = cookie.split(';').map((p) => p.trim().toLowerCase());
    assert.ok(attributes.includes('httponly') && attributes.includes('samesite=strict'), cookie);
    assert.ok(!attributes.includes('secure'), cookie);
  });

  it('refuses the 11th sign-in attempt for one user within a minute with 429', async () => {
    for (let i = 0; i < 10; i++)
      assert.equal((await login(ADMIN, `wrong password ${i}`)).statusCode, 401, `attempt ${i + 1}`);
    const blocked = await login(ADMIN, ADMIN_PASSWORD);
    assert.equal(blocked.statusCode, 429, 'even with the right password');
    assert.equal(blocked.headers['set-cookie'], undefined);
    // Another user name from the same address is counted apart.
    assert.equal((await login('bob', 'wrong password')).statusCode, 401);
  });

  it('counts a user name however it is spelled (case, surrounding spaces) as the same user', async () => {
    for (let i = 0; i < 10; i++) await login(ADMIN, `wrong password ${i}`);
    for (const spelling of [` ${ADMIN}`, `${ADMIN} `, `\t${ADMIN}`, ADMIN.toUpperCase()]) {
      const res = await login(spelling, ADMIN_PASSWORD);
      assert.equal(res.statusCode, 429, `"${spelling}" got ${res.statusCode}`);
    }
  });

  it('refuses a body over 64 KB on a public route, whatever its content type (413)', async () => {
    const big = Buffer.alloc(1024 * 1024, 0x41);
    for (const type of ['application/json', 'audio/mpeg', 'audio/ogg']) {
      const res = await d.app.inject({
        method: 'POST',
        url: '/api/login',
        headers: { 'content-type': type },
        payload: big,
      });
      assert.equal(res.statusCode, 413, `${type}: ${res.body}`);
    }
  });

  it('limits first-run setup attempts too', async () => {
    await d.close();
    d = await startDashboard('sqlite');
    const setup = () =>
      d.app.inject({
        method: 'POST',
        url: '/api/setup',
        payload: { username: ADMIN, password: 'short' },
      });
    for (let i = 0; i < 10; i++) assert.equal((await setup()).statusCode, 400);
    assert.equal((await setup()).statusCode, 429);
  });
});
