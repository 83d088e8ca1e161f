/**
 * Every route against every role. The route table (src/web/routes.ts) says who may call each
 * route; this file calls every registered route as an anonymous visitor, a moderator and an admin,
 * and checks that the answer matches what the table says:
 *
 * - session, moderator and admin routes answer 401 to an anonymous visitor;
 * - admin routes answer 403 "forbidden" to a moderator; moderator and session routes let them in;
 * - an admin is let into every dashboard route;
 * - public routes let everyone in; metrics answer requests made on this machine.
 *
 * "Let in" means the guard did not refuse: the handler may still refuse the (empty) input with a
 * 4xx, but never with 401 or 403, and never fail with a 5xx.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type {
  Budget,
  CallerHistory,
  ContactPage,
  ContactRow,
  EvidenceHoldRow,
  LineDetail,
  Overview,
  Rules,
  UserSummary,
} from '../../src/web/api/contract.ts';
import { DIALECTS } from '../support/databases.ts';
import {
  ADMIN,
  ADMIN_PASSWORD,
  addModerator,
  api,
  ok,
  setUp,
  signIn,
  startDashboard,
  type Dashboard,
  type SignedIn,
} from '../support/dashboard.ts';

type Caller = 'anonymous' | 'moderator' | 'admin';
const CALLERS: readonly Caller[] = ['anonymous', 'moderator', 'admin'];
const ACCESS = ['public', 'signed', 'metrics', 'session', 'moderator', 'admin'] as const;
const GUARDED = new Set(['session', 'moderator', 'admin']);
const SAFE = new Set(['GET', 'HEAD']);
/** Public routes whose handler answers 401/403 for a business reason (wrong password, setup code). */
const SIGN_IN = new Set(['POST /api/login', 'POST /api/setup']);
/** A Server-Sent Events stream: it never ends, so it is opened over HTTP and closed by the test. */
const EVENTS = '/api/events';
const MODERATOR_PASSWORD = 'moderator password 1';

interface RouteEntry {
  method: string;
  url: string;
  access: string;
}

const label = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const describeAnswer = (res: LightMyRequestResponse) =>
  `${res.statusCode} ${res.body.slice(0, 300)}`;
const errorOf = (res: LightMyRequestResponse): string | undefined => {
  try {
    return res.json<{ error?: string }>().error;
  } catch {
    return undefined;
  }
};

for (const dialect of DIALECTS) {
  describe(`every route against every role [${dialect.name}]`, { skip: dialect.skip }, () => {
    let d: Dashboard;
    let admin: SignedIn;
    let moderator: SignedIn;
    /** Values for route parameters: things that exist, so only the guard can refuse. */
    const ids = {
      line: 0,
      admin: 0,
      victim: 0,
      contact: 0,
      caller: 0,
      rule: 0,
      hold: 0,
      voiceToken: '',
    };

    before(async () => {
      d = await startDashboard(dialect.name);
      admin = await setUp(d.app);
      moderator = (await addModerator(d.app, admin, 'bob', MODERATOR_PASSWORD)).session;
      const a = api(d.app, admin);
      ids.admin = admin.info.user!.id;
      const lines = await d.hotline.lines.list();
      assert.ok(lines.length > 0, 'the hotline has a line');
      ids.line = lines[0]!.id;
      ids.victim = ok<UserSummary>(
        await a.post('/api/users', {
          username: 'carol',
          password: 'carol password 12',
          role: 'moderator',
        }),
      ).id;
      ok(
        await a.post('/api/simulator/contact', {
          lineId: ids.line,
          kind: 'text',
          from: '06 12 34 56 78',
          body: 'Bonjour',
        }),
      );
      const contact = ok<ContactPage>(await a.get('/api/contacts')).contacts[0];
      assert.ok(contact, 'the simulated text is listed');
      ids.contact = contact.id;
      ids.caller = contact.callerId;
      ids.rule = ok<{ id: number }>(
        await a.post('/api/rules', { kind: 'keyword', value: 'connard' }),
      ).id;
      const now = d.hotline.clock.now();
      const iso = (at: number) => `${new Date(at).toISOString().slice(0, 16)}Z`;
      ids.hold = ok<EvidenceHoldRow>(
        await a.post('/api/evidence/holds', {
          from: iso(now - 86_400_000),
          to: iso(now),
          lineId: null,
        }),
      ).id;
      const voiced = ok<LineDetail>(
        await a.raw({
          method: 'PUT',
          url: `/api/lines/${ids.line}/voice-audio`,
          headers: { 'content-type': 'audio/mpeg' },
          payload: Buffer.from('ID3 a short recording'),
        }),
      );
      ids.voiceToken = voiced.voiceAudioUrl!.split('/').at(-1)!;
    });
    after(() => d?.close());

    /** The route's URL with its parameters filled in with things that exist. */
    function concrete(r: { url: string }): string {
      return r.url
        .replace(':list', 'blocked')
        .replace(':token', ids.voiceToken)
        .replace(/^\/api\/lines\/:id/, `/api/lines/${ids.line}`)
        .replace(/^\/api\/users\/:id/, `/api/users/${ids.victim}`)
        .replace(/^\/api\/contacts\/:id/, `/api/contacts/${ids.contact}`)
        .replace(/^\/api\/callers\/:id/, `/api/callers/${ids.caller}`)
        .replace(/^\/api\/rules\/:id/, `/api/rules/${ids.rule}`)
        .replace(/^\/api\/evidence\/holds\/:id/, `/api/evidence/holds/${ids.hold}`)
        .replace(/^\/api\/evidence\/callers\/:id/, `/api/evidence/callers/${ids.caller}`);
    }

    /** A request as `who`: the session cookie, and the CSRF token on state-changing methods. */
    function call(who: SignedIn | null, method: string, url: string, body?: unknown) {
      const withBody = body !== undefined || !(SAFE.has(method) || method === 'DELETE');
      return d.app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(who ? { cookie: who.cookie } : {}),
          ...(who && !SAFE.has(method) ? { 'x-csrf-token': who.csrf } : {}),
          ...(withBody ? { 'content-type': 'application/json' } : {}),
        },
        ...(withBody ? { payload: JSON.stringify(body ?? {}) } : {}),
      });
    }

    /** The routes from the table, as registered (HEAD twins of GET routes included). */
    const tableRoutes = (): RouteEntry[] =>
      d.routes.filter((r): r is RouteEntry => r.access !== undefined);

    /** What an admin sees of the hotline's state, to show that a refusal changed nothing. */
    async function adminView() {
      const a = api(d.app, admin);
      const read = async (url: string) => ok<unknown>(await a.get(url), `GET ${url}`);
      return {
        lines: await read('/api/lines'),
        budget: await read('/api/budget'),
        rules: await read('/api/rules'),
        users: await read('/api/users'),
        audit: await read('/api/audit?limit=50'),
        contacts: await read('/api/contacts'),
        evidence: await read('/api/evidence'),
      };
    }

    it('knows who may call every registered route', () => {
      const routes = d.routes;
      const apiRoutes = routes.filter((r) => r.url.startsWith('/api/'));
      assert.ok(apiRoutes.length >= 40, `only ${apiRoutes.length} API routes registered`);
      const untabled = routes.filter((r) => r.access === undefined);
      for (const r of untabled)
        assert.equal(
          r.url,
          '/*',
          `${label(r)} is registered outside the route table, with no access rule`,
        );
      for (const r of routes.filter((r) => r.access !== undefined))
        assert.ok(
          (ACCESS as readonly string[]).includes(r.access!),
          `${label(r)} has an unknown access "${r.access}"`,
        );
      for (const r of apiRoutes)
        assert.ok(
          r.access !== undefined && r.access !== 'signed' && r.access !== 'metrics',
          `${label(r)} is an API route with access "${r.access}"`,
        );
      // Every GET has its HEAD twin, guarded the same way.
      for (const r of routes.filter((r) => r.method === 'GET' && r.access !== undefined)) {
        const head = routes.find((h) => h.method === 'HEAD' && h.url === r.url);
        assert.equal(head?.access, r.access, `HEAD ${r.url} is not guarded like GET ${r.url}`);
      }
      // The only public API routes are the session, sign-in and first-run setup.
      assert.deepEqual(
        apiRoutes
          .filter((r) => r.access === 'public')
          .map(label)
          .sort(),
        ['GET /api/session', 'HEAD /api/session', 'POST /api/login', 'POST /api/setup'],
      );
      // Webhooks are checked by their handler's signature check, nothing else.
      for (const r of routes.filter((r) => r.url.startsWith('/webhooks/')))
        assert.equal(r.access, 'signed', `${label(r)} is a webhook with access "${r.access}"`);
    });

    it("forbids a moderator the admin's things with 403, and nothing changes", async () => {
      const m = api(d.app, moderator);
      const now = d.hotline.clock.now();
      const iso = (at: number) => `${new Date(at).toISOString().slice(0, 16)}Z`;
      const period = { from: iso(now - 3_600_000), to: iso(now), lineId: null };
      const before = await adminView();
      const forbidden: [string, () => Promise<LightMyRequestResponse>][] = [
        ['GET /api/lines', () => m.get('/api/lines')],
        [
          'PATCH /api/lines/:id',
          () => m.patch(`/api/lines/${ids.line}`, { replyText: 'Changed by a moderator' }),
        ],
        [
          'PUT /api/lines/:id/voice-audio',
          () =>
            m.raw({
              method: 'PUT',
              url: `/api/lines/${ids.line}/voice-audio`,
              headers: { 'content-type': 'audio/mpeg' },
              payload: Buffer.from('ID3 a recording by a moderator'),
            }),
        ],
        ['DELETE /api/lines/:id/voice-audio', () => m.delete(`/api/lines/${ids.line}/voice-audio`)],
        ['GET /api/budget', () => m.get('/api/budget')],
        [
          'PUT /api/budget',
          () =>
            m.put('/api/budget', {
              segmentPriceMicros: 1,
              dailyMicros: 1,
              monthlyMicros: 1,
              alertThresholds: [50],
            }),
        ],
        ['POST /api/sms-cost', () => m.post('/api/sms-cost', { text: 'Bonjour' })],
        ['GET /api/audit', () => m.get('/api/audit')],
        ['GET /api/users', () => m.get('/api/users')],
        [
          'POST /api/users',
          () =>
            m.post('/api/users', { username: 'eve', password: 'eve password 12', role: 'admin' }),
        ],
        ['PATCH /api/users/:id', () => m.patch(`/api/users/${ids.admin}`, { role: 'moderator' })],
        ['DELETE /api/users/:id', () => m.delete(`/api/users/${ids.victim}`)],
        [
          'POST /api/simulator/contact',
          () =>
            m.post('/api/simulator/contact', {
              lineId: ids.line,
              kind: 'call',
              from: '06 98 76 54 32',
            }),
        ],
        [
          'GET /api/simulator/inbox',
          () => m.get(`/api/simulator/inbox?lineId=${ids.line}&from=0612345678`),
        ],
        ['GET /api/evidence', () => m.get('/api/evidence')],
        ['GET /api/evidence/verify', () => m.get('/api/evidence/verify')],
        ['POST /api/evidence/export', () => m.post('/api/evidence/export', period)],
        ['POST /api/evidence/holds', () => m.post('/api/evidence/holds', period)],
        [
          'POST /api/evidence/holds/:id/release',
          () => m.post(`/api/evidence/holds/${ids.hold}/release`, {}),
        ],
        [
          'POST /api/evidence/callers/:id/release',
          () => m.post(`/api/evidence/callers/${ids.caller}/release`, {}),
        ],
        ['POST /api/privacy/export', () => m.post('/api/privacy/export', { number: '0612345678' })],
        ['POST /api/privacy/erase', () => m.post('/api/privacy/erase', { number: '0612345678' })],
      ];
      for (const [what, request] of forbidden) {
        const res = await request();
        assert.equal(res.statusCode, 403, `${what} as moderator: ${describeAnswer(res)}`);
        assert.equal(errorOf(res), 'forbidden', `${what} as moderator: ${describeAnswer(res)}`);
        const route = tableRoutes().find((r) => label(r) === what);
        assert.equal(route?.access, 'admin', `${what} is not an admin route in the table`);
      }
      assert.deepEqual(await adminView(), before, 'a refused request changed something');
    });

    it('gives a moderator what the Contacts page needs', async () => {
      const m = api(d.app, moderator);
      const overview = ok<Overview>(await m.get('/api/overview'), 'GET /api/overview');
      const lines = await d.hotline.lines.list();
      assert.deepEqual(
        overview.lines.map((l) => [l.id, l.number]),
        lines.map((l) => [l.id, l.number]),
        'the overview lists every line with its id and number (the line filter)',
      );
      const page = ok<ContactPage>(await m.get('/api/contacts'), 'GET /api/contacts');
      assert.ok(
        page.contacts.some((c) => c.id === ids.contact),
        'the contact is listed',
      );
      const filtered = ok<ContactPage>(
        await m.get(`/api/contacts?line=${ids.line}&limit=50`),
        'GET /api/contacts?line=',
      );
      assert.ok(filtered.contacts.every((c) => c.lineId === ids.line));
      ok<CallerHistory>(await m.get(`/api/callers/${ids.caller}`), 'GET /api/callers/:id');
      ok<ContactRow>(
        await m.post(`/api/contacts/${ids.contact}/evidence`, { evidence: true }),
        'POST /api/contacts/:id/evidence',
      );
      ok<Rules>(await m.get('/api/rules'), 'GET /api/rules');
      ok(await m.get('/api/overview/chart?range=24h'), 'GET /api/overview/chart');
    });

    /** Opens the event stream over HTTP as `session`, reads what `check` needs, then closes it. */
    async function openStream(
      method: 'GET' | 'HEAD',
      session: SignedIn,
      check: (res: Response) => void | Promise<void>,
      timeoutMs = 5_000,
    ) {
      if (!d.app.server.listening) await d.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = d.app.server.address() as AddressInfo;
      const abort = new AbortController();
      const timer = setTimeout(
        () => abort.abort(new Error(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      try {
        await check(
          await fetch(`http://127.0.0.1:${port}${EVENTS}`, {
            method,
            headers: { cookie: session.cookie },
            signal: abort.signal,
          }),
        );
      } finally {
        clearTimeout(timer);
        abort.abort();
      }
    }

    it('opens the live event stream to moderators and admins only', async () => {
      for (const method of ['GET', 'HEAD'] as const) {
        const anonymous = await call(null, method, EVENTS);
        assert.equal(
          anonymous.statusCode,
          401,
          `${method} ${EVENTS}: ${describeAnswer(anonymous)}`,
        );
      }
      for (const [who, session] of [
        ['moderator', moderator],
        ['admin', admin],
      ] as const)
        await openStream('GET', session, async (res) => {
          assert.equal(res.status, 200, `GET ${EVENTS} as ${who}`);
          assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
          const first = await res.body!.getReader().read();
          assert.match(new TextDecoder().decode(first.value as Uint8Array), /^retry: \d+/);
        });
    });

    it('answers HEAD on the live event stream with its headers', async () => {
      await openStream(
        'HEAD',
        moderator,
        (res) => {
          assert.equal(res.status, 200);
          assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
        },
        1_500,
      );
    });

    it('answers every route as its access says, for anonymous, moderator and admin callers', async () => {
      // Fresh sessions: these requests include signing out, which ends them.
      const sessions: Record<Caller, SignedIn | null> = {
        anonymous: null,
        moderator: await signIn(d.app, 'bob', MODERATOR_PASSWORD),
        admin: await signIn(d.app, ADMIN, ADMIN_PASSWORD),
      };
      const routes = tableRoutes()
        .filter((r) => r.access !== 'signed')
        // Signing out ends the session: last, so the other requests still carry it.
        .sort((x, y) => Number(x.url === '/api/logout') - Number(y.url === '/api/logout'));
      assert.ok(routes.length >= 50, `only ${routes.length} routes to check`);
      const problems: string[] = [];
      const moderatorAllowed: string[] = [];
      for (const who of CALLERS) {
        for (const r of routes) {
          if (r.url === EVENTS && who !== 'anonymous') continue; // streamed: see the test above
          const res = await call(sessions[who], r.method, concrete(r));
          const status = res.statusCode;
          const where = `${label(r)} [${r.access}] as ${who}: ${describeAnswer(res)}`;
          const guarded = GUARDED.has(r.access);
          if (status >= 500) problems.push(`server error on ${where}`);
          if (who === 'anonymous' && guarded) {
            if (status !== 401) problems.push(`expected 401 on ${where}`);
            else if (r.method !== 'HEAD' && errorOf(res) !== 'unauthorized')
              problems.push(`expected "unauthorized" on ${where}`);
          }
          if (who === 'moderator' && r.access === 'admin') {
            if (status !== 403) problems.push(`expected 403 on ${where}`);
            else if (r.method !== 'HEAD' && errorOf(res) !== 'forbidden')
              problems.push(`expected "forbidden" on ${where}`);
            if (status !== 403) moderatorAllowed.push(label(r));
          }
          if (who === 'moderator' && (r.access === 'moderator' || r.access === 'session')) {
            if (status === 401 || status === 403) problems.push(`refused ${where}`);
          }
          if (who === 'admin' && guarded) {
            if (status === 401 || status === 403) problems.push(`refused ${where}`);
          }
          if (r.access === 'public' && !SIGN_IN.has(label(r))) {
            if (status === 401 || status === 403) problems.push(`refused ${where}`);
          }
          if (r.url === '/media/voice/:token' && who === 'anonymous' && status !== 200)
            problems.push(`expected the recording (200) on ${where}`);
          if (r.access === 'metrics' && status !== 200)
            problems.push(`expected 200 (a request made on this machine) on ${where}`);
        }
      }
      assert.deepEqual(moderatorAllowed, [], 'admin routes a moderator can call');
      assert.deepEqual(problems, [], problems.join('\n'));
    });

    it('still has the state the refusals left (the last admin, the settings)', async () => {
      const a = api(d.app, await signIn(d.app, ADMIN, ADMIN_PASSWORD));
      const users = ok<UserSummary[]>(await a.get('/api/users'));
      assert.deepEqual(
        users.filter((u) => u.id === ids.admin).map((u) => [u.username, u.role]),
        [[ADMIN, 'admin']],
      );
      assert.equal(ok<Budget>(await a.get('/api/budget')).source, 'environment');
    });
  });
}
