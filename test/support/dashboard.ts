import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Config } from '../../src/config/load.ts';
import type { ManualClock } from '../../src/domain/clock.ts';
import type {
  SessionInfo,
  SimulatedContactResult,
  UserSummary,
} from '../../src/web/api/contract.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';
import { startHotline, testConfig, type TestHotline } from './hotline.ts';

/** Dashboard API helpers: a hotline per test, signing in, and requests with cookie and CSRF token. */

export const ADMIN = 'alice';
export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface Dashboard {
  hotline: TestHotline;
  app: FastifyInstance;
  db: TestDatabase;
  /** Every route the app registered, as Fastify saw them, with who may call it (from the route table). */
  routes: { method: string; url: string; access: string | undefined }[];
  close(): Promise<void>;
}

/** A hotline on a fresh database of `dialect`, its app ready for `inject`. */
export async function startDashboard(
  dialect: 'sqlite' | 'postgres',
  overrides: Partial<Config> = {},
): Promise<Dashboard> {
  const db = await createTestDatabase(dialect);
  try {
    return await openDashboard(db, overrides);
  } catch (error) {
    await db.drop();
    throw error;
  }
}

async function openDashboard(
  db: TestDatabase,
  overrides: Partial<Config>,
  clock?: ManualClock,
): Promise<Dashboard> {
  const hotline = await startHotline(testConfig(db.target, overrides), clock);
  const app = hotline.app();
  const routes: Dashboard['routes'] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      routes.push({ method, url: r.url, access: r.config?.access });
  });
  await app.ready();
  return {
    hotline,
    app,
    db,
    routes,
    async close() {
      await hotline.close().catch(() => {});
      await db.drop();
    },
  };
}

/** Stops the hotline and starts it again on the same database and clock, as a restart does. */
export async function restartDashboard(
  d: Dashboard,
  overrides: Partial<Config> = {},
): Promise<Dashboard> {
  await d.hotline.close();
  return openDashboard(d.db, overrides, d.hotline.clock);
}

export interface SignedIn {
  /** "__Host-nonmerci_session=…" (or "nonmerci_session=…" over http), ready for a `cookie` header. */
  cookie: string;
  csrf: string;
  info: SessionInfo;
}

/** The session cookie a response sets, as a `cookie` request header; fails when there is none. */
export function sessionCookie(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header ? [header] : [];
  const found = all.find((c) => /^(__Host-)?nonmerci_session=/.test(c));
  assert.ok(found, `no session cookie in ${res.statusCode} ${res.body}`);
  return found.split(';')[0]!;
}

async function open(
  app: FastifyInstance,
  url: '/api/login' | '/api/setup',
  username: string,
  password: string,
): Promise<SignedIn> {
  const res = await app.inject({ method: 'POST', url, payload: { username, password } });
  assert.equal(res.statusCode, 200, `${url} as ${username}: ${res.body}`);
  const info = res.json<SessionInfo>();
  assert.ok(info.csrfToken);
  return { cookie: sessionCookie(res), csrf: info.csrfToken, info };
}

export const signIn = (app: FastifyInstance, username: string, password: string) =>
  open(app, '/api/login', username, password);

/** First-run setup: creates the first admin and signs in as them. */
export const setUp = (app: FastifyInstance, username = ADMIN, password = ADMIN_PASSWORD) =>
  open(app, '/api/setup', username, password);

export type Api = ReturnType<typeof api>;

/** Requests as a signed-in user: the session cookie on all, the CSRF token on state changes. */
export function api(app: FastifyInstance, session: { cookie: string; csrf: string } | null) {
  const send = (method: InjectOptions['method'], url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: {
        ...(session ? { cookie: session.cookie } : {}),
        ...(session && method !== 'GET' ? { 'x-csrf-token': session.csrf } : {}),
      },
      ...(payload !== undefined ? { payload: payload as InjectOptions['payload'] } : {}),
    });
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, body: unknown = {}) => send('POST', url, body),
    put: (url: string, body: unknown) => send('PUT', url, body),
    patch: (url: string, body: unknown) => send('PATCH', url, body),
    delete: (url: string) => send('DELETE', url),
    /** Any request, with the session's cookie and CSRF token unless `headers` replaces them. */
    raw: (options: InjectOptions) =>
      app.inject({
        ...options,
        headers: {
          ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
          ...options.headers,
        },
      }),
  };
}

/** A 2xx response's JSON, failing with the status and body otherwise. */
export function ok<T>(res: LightMyRequestResponse, why = ''): T {
  assert.ok(
    res.statusCode >= 200 && res.statusCode < 300,
    `${why ? `${why}: ` : ''}${res.statusCode}: ${res.body}`,
  );
  return res.json<T>();
}

/** An admin creates a moderator through the API, who then signs in. */
export async function addModerator(
  app: FastifyInstance,
  admin: SignedIn,
  username = 'bob',
  password = 'moderator password 1',
): Promise<{ user: UserSummary; session: SignedIn; password: string }> {
  const user = ok<UserSummary>(
    await api(app, admin).post('/api/users', { username, password, role: 'moderator' }),
  );
  return { user, session: await signIn(app, username, password), password };
}

export interface AuditEntryRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}

/** The newest audit entry with this action, read through GET /api/audit as an admin. */
export async function auditEntry(
  app: FastifyInstance,
  admin: SignedIn,
  action: string,
): Promise<AuditEntryRow> {
  const page = ok<{ entries: AuditEntryRow[] }>(await api(app, admin).get('/api/audit?limit=500'));
  const entry = page.entries.find((e) => e.action === action);
  assert.ok(
    entry,
    `no "${action}" in the audit log: ${page.entries.map((e) => e.action).join(', ')}`,
  );
  return entry;
}

/** A call or text from `from` (typed as an operator would) on the simulator line `lineId`. */
export async function simulateContact(
  a: Api,
  lineId: number,
  from: string,
  kind: 'call' | 'text',
  body?: string,
): Promise<SimulatedContactResult> {
  return ok<SimulatedContactResult>(
    await a.post('/api/simulator/contact', {
      lineId,
      from,
      kind,
      ...(body !== undefined ? { body } : {}),
    }),
  );
}
