/**
 * Property-based fuzzing of the dashboard API (every route of the route table but the webhooks,
 * which test/fuzz.test.ts covers), on every database dialect, as every kind of caller: anonymous,
 * a forged session cookie, a moderator and an admin, each with the right CSRF token, none, or a
 * wrong one.
 *
 * 1. A call the caller may not make (no session, no CSRF token on a state change, a moderator on an
 *    admin route) is refused with 401 or 403, never fails, and changes nothing an admin can see.
 * 2. A call the caller may make never fails with a 5xx, whatever its parameters, query, body and
 *    content type.
 * 3. Sign-in, first-run setup and password changes (rate limited, so few runs) never fail either.
 *
 * Replay a failure with FUZZ_SEED=<seed printed in the failure>; scale with FUZZ_RUNS=<multiplier>.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { InjectOptions } from 'fastify';
import fc from 'fast-check';
import { BODY_LIMIT } from '../src/web/app.ts';
import type {
  ContactPage,
  EvidenceHoldRow,
  LineDetail,
  UserSummary,
} from '../src/web/api/contract.ts';
import { DIALECTS } from './support/databases.ts';
import {
  ADMIN_PASSWORD,
  addModerator,
  api,
  ok,
  setUp,
  startDashboard,
  type Dashboard,
  type SignedIn,
} from './support/dashboard.ts';

// ---------------------------------------------------------------------------------------------
// Run control

const RUN_SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUN_SCALE));

/** One seed per file run, printed on failure so the run can be replayed. */
const SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;

async function check<T>(t: TestContext, property: fc.IAsyncProperty<T>, numRuns: number) {
  t.diagnostic(`seed ${SEED}, ${numRuns} runs`);
  const started = performance.now();
  try {
    await fc.assert(property, {
      seed: SEED,
      numRuns,
      interruptAfterTimeLimit: 30_000,
      markInterruptAsFailure: true,
    });
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nReplay with: FUZZ_SEED=${SEED} node --test test/api-fuzz.test.ts`,
      { cause: error },
    );
  } finally {
    t.diagnostic(`${Math.round(performance.now() - started)} ms`);
  }
}

// ---------------------------------------------------------------------------------------------
// Routes and callers

interface RouteEntry {
  method: string;
  url: string;
  access: string;
}

const GUARDED = new Set(['session', 'moderator', 'admin']);
const SAFE = new Set(['GET', 'HEAD']);
/** Run a password hash and are rate limited per address: fuzzed apart, a few times only. */
const SIGN_IN = ['POST /api/login', 'POST /api/setup', 'POST /api/account/password'];
const EVENTS = '/api/events';
const MODERATOR_PASSWORD = 'moderator password 1';

const label = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

type CsrfMode = 'right' | 'none' | 'wrong';
interface Caller {
  name: string;
  role: 'moderator' | 'admin' | null;
  /** A session cookie that opens nothing. */
  forged: boolean;
  csrf: CsrfMode;
}

const CALLERS: Caller[] = [
  { name: 'anonymous', role: null, forged: false, csrf: 'none' },
  { name: 'forged cookie', role: null, forged: true, csrf: 'wrong' },
  ...(['moderator', 'admin'] as const).flatMap((role) =>
    (['right', 'none', 'wrong'] as const).map((csrf) => ({
      name: `${role}${csrf === 'right' ? '' : csrf === 'none' ? ' without CSRF token' : ' with a wrong CSRF token'}`,
      role,
      forged: false,
      csrf,
    })),
  ),
];

interface Refusal {
  status: 401 | 403;
  error: 'unauthorized' | 'csrf_invalid' | 'forbidden';
}

/** How the guard must refuse this caller on this route, or null when it lets them in. */
function refusal(caller: Caller, route: RouteEntry): Refusal | null {
  if (!GUARDED.has(route.access)) return null;
  if (caller.role === null) return { status: 401, error: 'unauthorized' };
  if (!SAFE.has(route.method) && caller.csrf !== 'right')
    return { status: 403, error: 'csrf_invalid' };
  if (route.access === 'admin' && caller.role !== 'admin')
    return { status: 403, error: 'forbidden' };
  return null;
}

const MAX_PARAM_LENGTH = 100;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The route a URL reaches after dot segments are resolved, with its raw parameters; null when the
 * router answers by itself (no such path, a parameter too long).
 */
function resolver(routes: RouteEntry[]) {
  const patterns = routes.map((r) => ({
    route: r,
    regex: new RegExp(
      `^${r.url
        .split('/')
        .map((s) => (s.startsWith(':') ? '([^/]+)' : escapeRegExp(s)))
        .join('/')}$`,
    ),
  }));
  return (method: string, url: string): { route: RouteEntry; params: string[] } | null => {
    let path: string;
    try {
      path = new URL(url, 'http://localhost').pathname;
    } catch {
      return null;
    }
    for (const { route, regex } of patterns) {
      if (route.method !== method) continue;
      const m = regex.exec(path);
      // A longer parameter, or one that is not percent-encoded UTF-8, matches no route: the router
      // answers by itself (Fastify's maxParamLength, FST_ERR_BAD_URL).
      if (m)
        return m.slice(1).some((p) => p.length > MAX_PARAM_LENGTH || idOf(p) === undefined)
          ? null
          : { route, params: m.slice(1) };
    }
    return null;
  };
}

/** An id as the API reads one from the URL (see idParam), null if none, undefined if undecodable. */
function idOf(raw: string): number | null | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return /^\d{1,15}$/.test(decoded) ? Number(decoded) : null;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** Percent-encodes any string, lone surrogates included (they become U+FFFD, as a browser would send). */
const enc = (s: string) => encodeURIComponent(s.toWellFormed());

const controlChars = fc.string({
  unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 8,
});

const ODD = [
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  'true',
  '[]',
  '{}',
  '[object Object]',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '\u0000',
  '\u202e',
  '\ufeff',
  '\ud800',
  'é'.normalize('NFD'),
  '𝕏'.repeat(20),
  "'; DROP TABLE users; --",
  '<script>alert(1)</script>',
  '${7*7}',
  '%s%s%s%n',
];
const HUGE = [
  '0',
  '-0',
  '-1',
  '1.5',
  '1e3',
  '1e308',
  '-1e308',
  '0x10',
  '0b1',
  '01',
  ' 1',
  '1 ',
  '+1',
  '9007199254740991',
  '9007199254740993',
  '999999999999999',
  '9999999999999999',
  '99999999999999999999999999999999',
  '18446744073709551616',
  '2147483648',
  '-2147483649',
];
const TRAVERSAL = [
  '.',
  '..',
  '../..',
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e',
  '%2e%2e%2f',
  '.%2e',
  '..\\..\\windows',
  '%00',
  '%zz',
  '%C0%AE',
  '%252e%252e',
  '..;',
  '~',
  '*',
  '1/2',
  '1%2F2',
  '1?x=1',
  '1#x',
];

/** Strings nobody means: odd words, unicode, control characters. */
const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD) },
  { weight: 2, arbitrary: fc.constantFrom(...HUGE) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: controlChars },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', '9', 'é', '\u0000', '<', '%'), fc.integer({ min: 1, max: 3000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

/** Numbers a field may be sent, most of them wrong. */
const anyNumber = fc.oneof(
  fc.integer(),
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.constantFrom(
    0,
    -0,
    1,
    2,
    3,
    1.5,
    -1,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    1e21,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Values a field is meant to hold somewhere in the API, so some requests go deep. */
function plausibleValues(ids: Ids): fc.Arbitrary<unknown> {
  const now = Date.UTC(2026, 10, 1, 12);
  const iso = (at: number) => `${new Date(at).toISOString().slice(0, 16)}Z`;
  return fc.constantFrom<unknown>(
    true,
    false,
    'on',
    'off',
    'auto',
    'keyword',
    'block_prefix',
    'allow_prefix',
    'connard',
    '+33',
    '+3361',
    '06 12 34 56 78',
    '+33612345678',
    '0939000001',
    'Anonymous',
    'call',
    'text',
    'Bonjour',
    'fr',
    'en',
    'moderator',
    'admin',
    'root',
    'blocked',
    'allowed',
    'stop',
    ['FR'],
    ['FR', 'BE'],
    ['XX'],
    [50, 80, 100],
    [],
    [0, 101],
    0,
    60_000,
    86_400_000,
    5_000_000,
    ids.line,
    ids.contact,
    ids.caller,
    ids.victim,
    '2026-11-01',
    '2026-11-01T10:00',
    '2026-02-30T10:00',
    '2026-11-01 25:00',
    iso(now - 86_400_000),
    iso(now),
    'a'.repeat(1000),
    'fuzz user',
    'fuzzer',
    'a long enough password',
    null,
  );
}

/** Every field name the API reads, and a few it does not. */
const KEYS = [
  'username',
  'password',
  'role',
  'setupCode',
  'currentPassword',
  'newPassword',
  'paused',
  'rejectCalls',
  'mode',
  'language',
  'voiceText',
  'replyText',
  'delayMs',
  'cooldownMs',
  'allowedCountries',
  'text',
  'segmentPriceMicros',
  'dailyMicros',
  'monthlyMicros',
  'alertThresholds',
  'evidence',
  'blocked',
  'kind',
  'value',
  'note',
  'on',
  'number',
  'callerId',
  'lineId',
  'from',
  'to',
  'body',
  'id',
  '__proto__',
  'constructor',
  'prototype',
];

/** A JSON value nested `depth` levels, in arrays or objects (with keys JSON parsers guard). */
const deepJson = fc
  .tuple(
    fc.integer({ min: 50, max: 20_000 }),
    fc.constantFrom('[', '{"a":', '{"__proto__":', '{"constructor":{"prototype":'),
  )
  .map(([depth, open]) => {
    const close = open === '[' ? ']' : open.endsWith(':{"prototype":') ? '}}' : '}';
    const max = Math.floor((BODY_LIMIT - 100) / (open.length + close.length));
    const n = Math.min(depth, max);
    return open.repeat(n) + '1' + close.repeat(n);
  });

/** Size of a body near the 64 KiB limit, on either side of it. */
const nearLimit = fc.integer({ min: BODY_LIMIT - 2_000, max: BODY_LIMIT + 2_000 });

interface Ids {
  line: number;
  admin: number;
  moderator: number;
  victim: number;
  contact: number;
  caller: number;
  rule: number;
  hold: number;
  voiceToken: string;
}

/** Text an operator might type, from plain to hostile. */
const operatorWords = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'Bonjour',
      'connard',
      'Merci de ne plus appeler.',
      'Hello {name}',
      'é'.repeat(200),
      'a'.repeat(1600),
      '😀'.repeat(100),
      '  padded  ',
      'line one\nline two',
      '<Say>x</Say>',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: nastyString },
);

/** For each route taking a body, its fields and values close to what it expects. */
function routeFields(ids: Ids): Record<string, Record<string, fc.Arbitrary<unknown>>> {
  const now = Date.UTC(2026, 10, 1, 12);
  const at = fc
    .tuple(fc.integer({ min: -60, max: 60 }), fc.constantFrom('Z', '', '+02:00', ' junk'))
    .map(
      ([days, zone]) =>
        `${new Date(now + days * 86_400_000)
          .toISOString()
          .slice(0, 16)
          .replace('T', zone === '' ? ' ' : 'T')}${zone === ' junk' ? '' : zone}`,
    );
  const phone = fc.constantFrom(
    '06 12 34 56 78',
    '+33612345678',
    '0612345678',
    '+33 6 98 76 54 32',
    '+447911123456',
    '+1 202 555 0143',
    '0939000001',
    '+33939000001',
    'Anonymous',
    '12',
    '+',
  );
  const bool = fc.boolean();
  const id = fc.constantFrom(ids.line, ids.contact, ids.caller, ids.victim, 0, -1, 999_999);
  const money = fc.oneof(fc.nat({ max: 100_000_000 }), anyNumber);
  const name = fc.oneof(
    fc.constantFrom('alice', 'bob', 'carol', ' Alice ', 'ALICE', 'a', 'x'.repeat(65)),
    fc.stringMatching(/^[a-z][a-z0-9._-]{2,20}$/),
  );
  const password = fc.oneof(
    fc.constantFrom('short', 'a long enough password', 'x'.repeat(1025)),
    fc.string({ minLength: 12, maxLength: 40 }),
  );
  const role = fc.constantFrom('moderator', 'admin', 'root', 'Admin', '');
  const language = fc.constantFrom('fr', 'en', 'de', 'FR');
  return {
    'POST /api/setup': { username: name, password, setupCode: fc.string({ maxLength: 30 }) },
    'POST /api/login': { username: name, password },
    'POST /api/account/password': { currentPassword: password, newPassword: password },
    'POST /api/users': { username: name, password, role },
    'PATCH /api/users/:id': { role, password },
    'POST /api/lines/:id/pause': { paused: bool, rejectCalls: bool },
    'POST /api/lines/:id/shield': { mode: fc.constantFrom('auto', 'on', 'off', 'ON', 'raid') },
    'PATCH /api/lines/:id': {
      language,
      voiceText: operatorWords,
      replyText: operatorWords,
      delayMs: money,
      cooldownMs: money,
      allowedCountries: fc.oneof(
        fc.constantFrom(['FR'], ['fr', 'BE'], [], ['XX'], 'FR', [null]),
        fc.array(fc.constantFrom('FR', 'BE', 'CH', 'US', 'ZZ'), { maxLength: 60 }),
      ),
    },
    'POST /api/sms-cost': { text: operatorWords },
    'PUT /api/budget': {
      segmentPriceMicros: money,
      dailyMicros: money,
      monthlyMicros: money,
      alertThresholds: fc.oneof(
        fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { maxLength: 10 }),
        fc.array(fc.integer({ min: -10, max: 120 }), { maxLength: 12 }),
        fc.constantFrom([50, 80, 100], [1.5], ['50'], 50, null),
      ),
    },
    'POST /api/contacts/:id/evidence': { evidence: bool },
    'POST /api/callers/:id/block': { blocked: bool },
    'POST /api/rules': {
      kind: fc.constantFrom('keyword', 'block_prefix', 'allow_prefix', 'regex'),
      value: fc.oneof(operatorWords, phone, fc.constantFrom('+33', '+3361', '+', '!!!', '')),
      note: operatorWords,
    },
    'POST /api/lists/:list': { on: bool, number: phone, callerId: id },
    'POST /api/simulator/contact': {
      lineId: id,
      kind: fc.constantFrom('call', 'text', 'fax'),
      from: phone,
      body: operatorWords,
    },
    'POST /api/evidence/export': { from: at, to: at, lineId: fc.option(id), language },
    'POST /api/evidence/holds': { from: at, to: at, lineId: fc.option(id), note: operatorWords },
    'POST /api/privacy/export': { number: phone },
    'POST /api/privacy/erase': { number: phone },
  };
}

/** A body for `route`: its own fields (often right, sometimes of the wrong type), or anything. */
function bodyArbitrary(
  ids: Ids,
  fields: Record<string, fc.Arbitrary<unknown>> | undefined,
): fc.Arbitrary<string | Buffer | undefined> {
  const wrongValue = fc.oneof(
    { weight: 3, arbitrary: nastyString },
    { weight: 2, arbitrary: anyNumber },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 5 }) },
    { weight: 1, arbitrary: plausibleValues(ids) },
  );
  const key = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );
  const anyObject = fc.dictionary(key, wrongValue, { maxKeys: 6 });
  const ownObject = fields
    ? fc
        .tuple(
          fc.record(
            Object.fromEntries(
              Object.entries(fields).map(([k, right]) => [
                k,
                fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: wrongValue }),
              ]),
            ),
            { requiredKeys: [] },
          ),
          fc.option(anyObject, { freq: 4 }),
        )
        .map(([own, extra]) => ({ ...extra, ...own }))
    : anyObject;
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 12, arbitrary: ownObject.map((o) => JSON.stringify(o)) },
    { weight: 3, arbitrary: anyObject.map((o) => JSON.stringify(o)) },
    {
      weight: 2,
      arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
    },
    { weight: 1, arbitrary: deepJson },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...(fields ? Object.keys(fields) : KEYS)),
          nearLimit,
          fc.constantFrom('a', 'é', '\\u0000', ' '),
        )
        .map(([k, n, c]) => {
          const frame = `{"${k}":""}`.length;
          return `{"${k}":"${c.repeat(Math.max(0, Math.floor((n - frame) / c.length)))}"}`;
        }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '[',
        '"',
        'null',
        'true',
        '1',
        '"text"',
        '{"a":1,"a":2}',
        '{"__proto__":{"role":"admin"}}',
        '{"constructor":{"prototype":{"role":"admin"}}}',
        'username=alice&password=x',
        '\ufeff{}',
        '{}\u0000',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
    },
  );
}

/** Mostly JSON, so that most requests get past the parser to the handler. */
const contentType = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-16',
      'Application/JSON',
      'application/json, text/plain',
      'application/jsonx',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=----fuzz',
      'text/plain',
      'text/html',
      'audio/mpeg',
      'audio/wav',
      'audio/ogg',
      'application/octet-stream',
      '*/*',
      '',
      ';',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 40,
    }),
  },
);

/** For the recording upload: mostly the audio types it takes. */
const audioType = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('audio/mpeg', 'audio/wav', 'audio/x-wav', 'audio/ogg') },
  { weight: 1, arbitrary: fc.constantFrom('audio/mpeg; codecs=mp3', 'audio/flac', 'video/mp4') },
  { weight: 1, arbitrary: contentType },
);

const QUERY_KEYS = [
  'limit',
  'before',
  'line',
  'lineId',
  'from',
  'to',
  'caller',
  'label',
  'replied',
  'reason',
  'evidence',
  'range',
  '__proto__',
  'constructor',
];
const queryValue = fc.oneof(
  fc.constantFrom(...HUGE),
  fc.constantFrom('7d', '24h', 'yes', 'no', 'any', 'clean', 'insult', 'paused', '0612345678'),
  nastyString,
);
const queryString = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 4,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom(...QUERY_KEYS), queryValue), { minLength: 1, maxLength: 5 })
      .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${enc(v)}`).join('&')}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(
        fc.constantFrom('%', '%zz', '%C0', '&', '=', '==', 'a', '[]', '[0]', '%00', '+', ';'),
        {
          maxLength: 8,
        },
      )
      .map((a) => `?${a.join('')}`),
  },
);

/** The id of something that exists, for a route's ":id". */
function existingId(ids: Ids, url: string): number {
  if (url.startsWith('/api/lines/')) return ids.line;
  if (url.startsWith('/api/users/')) return ids.victim;
  if (url.startsWith('/api/contacts/')) return ids.contact;
  if (url.startsWith('/api/rules/')) return ids.rule;
  if (url.startsWith('/api/evidence/holds/')) return ids.hold;
  return ids.caller;
}

function paramValue(ids: Ids, url: string, name: string): fc.Arbitrary<string> {
  const real =
    name === 'list'
      ? fc.constantFrom('blocked', 'allowed', 'stop', 'Blocked', 'none')
      : name === 'token'
        ? fc.constantFrom(ids.voiceToken, ids.voiceToken.toUpperCase(), 'a'.repeat(10))
        : fc.oneof(
            { weight: 3, arbitrary: fc.constant(String(existingId(ids, url))) },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                ...[ids.line, ids.victim, ids.contact, ids.caller, ids.rule, ids.hold].map(String),
              ),
            },
          );
  const value = fc.oneof(
    { weight: 4, arbitrary: real },
    { weight: 2, arbitrary: fc.nat({ max: 1_000_000 }).map(String) },
    { weight: 2, arbitrary: fc.constantFrom(...HUGE) },
    { weight: 2, arbitrary: nastyString.filter((s) => s.length <= 120) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 90, maxLength: 140 }) },
  );
  return fc.oneof(
    { weight: 5, arbitrary: value.map(enc) },
    { weight: 1, arbitrary: fc.constantFrom(...TRAVERSAL) },
  );
}

interface Request {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: string | Buffer | undefined;
}

/** A request, short enough to read in a failure message. */
function describeRequest(r: Request, caller?: Caller): string {
  const p = r.payload;
  const body =
    p === undefined
      ? '(none)'
      : `[${p.length}] ${JSON.stringify(Buffer.isBuffer(p) ? p.subarray(0, 200).toString('latin1') : p.slice(0, 200))}`;
  const headers = Object.fromEntries(
    Object.entries(r.headers).map(([k, v]) => [
      k,
      k === 'cookie' || k === 'x-csrf-token' ? `${v.slice(0, 24)}…` : v.slice(0, 80),
    ]),
  );
  return `${caller ? `as ${caller.name}: ` : ''}${r.method} ${r.url.slice(0, 300)} headers=${JSON.stringify(headers)} body=${body}`;
}

// ---------------------------------------------------------------------------------------------

for (const dialect of DIALECTS) {
  describe(`dashboard API fuzzing [${dialect.name}]`, { skip: dialect.skip }, () => {
    let d: Dashboard;
    let admin: SignedIn;
    let moderator: SignedIn;
    let routes: RouteEntry[];
    let resolve: ReturnType<typeof resolver>;
    let fields: ReturnType<typeof routeFields>;
    const ids: Ids = {
      line: 0,
      admin: 0,
      moderator: 0,
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
      const mod = await addModerator(d.app, admin, 'bob', MODERATOR_PASSWORD);
      moderator = mod.session;
      ids.admin = admin.info.user!.id;
      ids.moderator = mod.user.id;
      const a = api(d.app, admin);
      ids.line = (await d.hotline.lines.list())[0]!.id;
      ids.victim = ok<UserSummary>(
        await a.post('/api/users', {
          username: 'carol',
          password: 'carol password 12',
          role: 'moderator',
        }),
      ).id;
      for (const [kind, from] of [
        ['text', '06 12 34 56 78'],
        ['call', '06 98 76 54 32'],
      ] as const)
        ok(
          await a.post('/api/simulator/contact', {
            lineId: ids.line,
            kind,
            from,
            ...(kind === 'text' ? { body: 'Bonjour' } : {}),
          }),
        );
      const contact = ok<ContactPage>(await a.get('/api/contacts')).contacts[0]!;
      ids.contact = contact.id;
      ids.caller = contact.callerId;
      ids.rule = ok<{ id: number }>(
        await a.post('/api/rules', { kind: 'keyword', value: 'connard' }),
      ).id;
      const now = d.hotline.clock.now();
      const iso = (at: number) => `${new Date(at).toISOString().slice(0, 16)}Z`;
      ids.hold = ok<EvidenceHoldRow>(
        await a.post('/api/evidence/holds', { from: iso(now - 86_400_000), to: iso(now) }),
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
      routes = d.routes.filter(
        (r): r is RouteEntry => r.access !== undefined && r.access !== 'signed',
      );
      assert.ok(routes.length >= 50, `only ${routes.length} routes`);
      resolve = resolver(routes);
      fields = routeFields(ids);
    });
    after(() => d?.close());

    /** The request headers of a caller: cookie and CSRF token as its kind says. */
    function callerHeaders(caller: Caller, wrongToken: string): Record<string, string> {
      const session =
        caller.role === 'admin' ? admin : caller.role === 'moderator' ? moderator : null;
      const headers: Record<string, string> = {};
      if (caller.forged) headers.cookie = `${admin.cookie.split('=')[0]}=${wrongToken || 'x'}`;
      else if (session) headers.cookie = session.cookie;
      if (caller.csrf === 'right' && session) headers['x-csrf-token'] = session.csrf;
      if (caller.csrf === 'wrong') headers['x-csrf-token'] = wrongToken;
      return headers;
    }

    /** A CSRF token that is not the caller's: another session's, a near miss, or garbage. */
    const wrongToken = (caller: Caller) =>
      fc.oneof(
        fc.constant(caller.role === 'admin' ? moderator.csrf : admin.csrf),
        fc.constantFrom(
          (caller.role === 'admin' ? admin : moderator).csrf.slice(1),
          `${(caller.role === 'admin' ? admin : moderator).csrf}x`,
          (caller.role === 'admin' ? admin : moderator).csrf.toUpperCase(),
          '',
          'null',
        ),
        fc
          .string({
            unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
            maxLength: 64,
          })
          .filter((s) => !s.includes(';')),
      );

    /** A request to `route` as `caller`, with random parameters, query, body and content type. */
    function requestTo(route: RouteEntry, caller: Caller): fc.Arbitrary<Request> {
      const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      const hasBody = !SAFE.has(route.method);
      const body = bodyArbitrary(ids, fields[label(route)]);
      return fc
        .record({
          params: fc.tuple(...names.map((n) => paramValue(ids, route.url, n))),
          query: queryString,
          payload: hasBody
            ? body
            : fc.oneof(
                { weight: 5, arbitrary: fc.constant(undefined) },
                { weight: 1, arbitrary: body },
              ),
          type: route.url.endsWith('/voice-audio') ? audioType : contentType,
          token: wrongToken(caller),
        })
        .map(({ params, query, payload, type, token }) => {
          let i = 0;
          const path = route.url.replace(/:\w+/g, () => params[i++]!);
          const headers = callerHeaders(caller, token);
          if (type !== undefined && payload !== undefined) headers['content-type'] = type;
          const request: Request = {
            method: route.method,
            url: path + query,
            headers,
            payload: route.method === 'HEAD' ? undefined : payload,
          };
          return Object.assign(request, {
            [fc.toStringMethod]: () => describeRequest(request, caller),
          });
        });
    }

    /** An answer, from inject or over HTTP. */
    interface Answer {
      statusCode: number;
      headers: Record<string, string | string[] | number | undefined>;
      body: string;
      json<T>(): T;
    }

    /**
     * Sends a request through inject, except to the live event stream: a stream that opened by
     * mistake would never end, so it goes over HTTP and is cut after a few seconds.
     */
    async function send(r: Request): Promise<Answer> {
      if (resolve(r.method, r.url)?.route.url === EVENTS) return sendOverHttp(r);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within 10 s to ${describeRequest(r)}`)),
          10_000,
        );
      });
      try {
        return await Promise.race([
          d.app.inject({
            method: r.method as InjectOptions['method'],
            url: r.url,
            headers: r.headers,
            ...(r.payload !== undefined ? { payload: r.payload } : {}),
          }),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    }

    async function sendOverHttp(r: Request): Promise<Answer> {
      if (!d.app.server.listening) await d.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = d.app.server.address() as AddressInfo;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 3_000);
      let statusCode = 0;
      let headers: Answer['headers'] = {};
      let body = '(no answer within 3 s)';
      try {
        const res = await fetch(`http://127.0.0.1:${port}${r.url}`, {
          method: r.method,
          headers: r.headers,
          signal: abort.signal,
        });
        statusCode = res.status;
        headers = Object.fromEntries(res.headers);
        body = '(a stream that did not end within 3 s)';
        body = await res.text();
      } catch (error) {
        // Aborted: the answer so far is what the assertions see.
        if (!abort.signal.aborted) body = `(not sent: ${(error as Error).message})`;
      } finally {
        clearTimeout(timer);
        abort.abort();
      }
      return { statusCode, headers, body, json: <T>() => JSON.parse(body) as T };
    }

    /** Counts the statuses a property saw per method, reported when it ends. */
    function tally(t: TestContext) {
      const seen = new Map<string, number>();
      return {
        count: (method: string, status: number) => {
          const key = `${method} ${status}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        },
        report: () =>
          t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries([...seen].sort()))}`),
      };
    }

    /** What an admin sees, and who the two signed-in users still are. */
    async function adminView() {
      const a = api(d.app, admin);
      const urls = [
        '/api/lines',
        '/api/budget',
        '/api/rules',
        '/api/users',
        '/api/audit?limit=50',
        '/api/contacts?limit=200',
        '/api/overview',
        '/api/evidence',
      ];
      const views = await Promise.all(
        urls.map(async (url) => [url, ok<unknown>(await a.get(url), `GET ${url}`)] as const),
      );
      const whoIs = async (session: SignedIn) =>
        (
          await d.app.inject({
            method: 'GET',
            url: '/api/session',
            headers: { cookie: session.cookie },
          })
        ).json<{ user: { role: string } | null; csrfToken: string | null }>();
      return {
        ...Object.fromEntries(views),
        admin: await whoIs(admin),
        moderator: await whoIs(moderator),
      };
    }

    it('refuses every call a caller may not make with 401 or 403, and nothing changes', async (t) => {
      const pairs = CALLERS.flatMap((caller) =>
        routes
          .filter((route) => refusal(caller, route) !== null)
          .map((route) => ({ caller, route })),
      );
      t.diagnostic(`${pairs.length} refused (caller, route) pairs`);
      const statuses = tally(t);
      // Compared with the view after the previous call, so a shrunk counterexample stays precise.
      let previous = await adminView();
      await check(
        t,
        fc.asyncProperty(
          fc
            .constantFrom(...pairs)
            .chain(({ caller, route }) =>
              requestTo(route, caller).map((request) => ({ caller, route, request })),
            ),
          async ({ caller, request }) => {
            const reached = resolve(request.method, request.url);
            const expected = reached ? refusal(caller, reached.route) : null;
            // Dot segments took the URL to a route this caller may use: not a refusal to check.
            fc.pre(!reached || expected !== null);
            const res = await send(request);
            statuses.count(request.method, res.statusCode);
            const what = `${res.statusCode} ${res.body.slice(0, 200)} to ${describeRequest(request, caller)}`;
            assert.ok(res.statusCode < 500, `server error: ${what}`);
            if (expected) {
              assert.equal(res.statusCode, expected.status, `expected ${expected.status}: ${what}`);
              if (request.method !== 'HEAD')
                assert.equal(res.json<{ error: string }>().error, expected.error, what);
            } else {
              // Only the not-found handler answers: a 4xx (it reads the body first, hence 413 and
              // 415), or for a page outside /api the dashboard's index.html.
              const page =
                SAFE.has(request.method) &&
                res.statusCode === 200 &&
                String(res.headers['content-type']).startsWith('text/html');
              assert.ok(
                page || (res.statusCode >= 400 && res.statusCode < 500),
                `a URL no route answers: ${what}`,
              );
            }
            assert.ok(!res.headers['set-cookie'], `a refusal set a cookie: ${what}`);
            const before = previous;
            previous = await adminView();
            assert.deepEqual(previous, before, `a refused call changed something: ${what}`);
          },
        ),
        runs(150),
      );
      statuses.report();
    });

    it('never fails with a 5xx on a call the caller may make', async (t) => {
      const pairs = CALLERS.flatMap((caller) =>
        routes
          .filter(
            (route) =>
              refusal(caller, route) === null &&
              !SIGN_IN.includes(label(route)) &&
              // Ends the session the other runs use.
              label(route) !== 'POST /api/logout' &&
              // A stream that never ends; its refusals are checked above.
              route.url !== EVENTS,
          )
          .map((route) => ({ caller, route })),
      );
      t.diagnostic(`${pairs.length} allowed (caller, route) pairs`);
      const statuses = tally(t);
      // State changes are where handlers do most: three runs in four.
      const writes = pairs.filter((p) => !SAFE.has(p.route.method));
      const reads = pairs.filter((p) => SAFE.has(p.route.method));
      await check(
        t,
        fc.asyncProperty(
          fc
            .oneof(
              { weight: 3, arbitrary: fc.constantFrom(...writes) },
              { weight: 1, arbitrary: fc.constantFrom(...reads) },
            )
            .chain(({ caller, route }) =>
              requestTo(route, caller).map((request) => ({ caller, route, request })),
            ),
          async ({ caller, request }) => {
            const reached = resolve(request.method, request.url);
            if (reached) {
              // The signed-in users stay as they are: never delete, demote nor reset them here.
              const own =
                reached.route.url === '/api/users/:id' &&
                [ids.admin, ids.moderator].includes(idOf(reached.params[0]!) ?? -1);
              fc.pre(
                !own &&
                  !SIGN_IN.includes(label(reached.route)) &&
                  label(reached.route) !== 'POST /api/logout' &&
                  reached.route.url !== EVENTS,
              );
            }
            const res = await send(request);
            statuses.count(request.method, res.statusCode);
            const what = `${res.statusCode} ${res.body.slice(0, 300)} to ${describeRequest(request, caller)}`;
            assert.ok(res.statusCode < 500, `server error: ${what}`);
            const expected = reached ? refusal(caller, reached.route) : null;
            if (expected) assert.equal(res.statusCode, expected.status, what);
          },
        ),
        runs(300),
      );
      statuses.report();
      // The signed-in users are still who they were.
      const view = await adminView();
      assert.equal(view.admin.user?.role, 'admin');
      assert.equal(view.moderator.user?.role, 'moderator');
    });

    it('never fails on sign-in, first-run setup or password changes (a few runs: rate limited)', async (t) => {
      const signInRoutes = routes.filter((r) => SIGN_IN.includes(label(r)));
      assert.equal(signInRoutes.length, SIGN_IN.length);
      const statuses = tally(t);
      await check(
        t,
        fc.asyncProperty(
          fc
            .tuple(fc.constantFrom(...CALLERS), fc.constantFrom(...signInRoutes))
            .chain(([caller, route]) =>
              requestTo(route, caller).map((request) => ({ caller, route, request })),
            ),
          async ({ caller, route, request }) => {
            const res = await send(request);
            statuses.count(request.method, res.statusCode);
            const what = `${res.statusCode} ${res.body.slice(0, 300)} to ${describeRequest(request, caller)}`;
            assert.ok(res.statusCode < 500, `server error: ${what}`);
            const expected = refusal(caller, route);
            if (expected) assert.equal(res.statusCode, expected.status, what);
            if (res.statusCode === 200) {
              // Earlier properties may have created accounts with a password the generators also
              // produce: a sign-in may then open, but only as the account it names.
              const body = JSON.parse(request.payload?.toString() ?? '{}') as {
                username?: unknown;
              };
              const user = res.json<{ user: { username: string } | null }>().user;
              assert.equal(route.url, '/api/login', what);
              assert.equal(
                user?.username.toLowerCase(),
                String(body.username).trim().toLowerCase(),
                what,
              );
            } else {
              assert.ok(!res.headers['set-cookie'], `a session cookie was set: ${what}`);
            }
          },
        ),
        runs(8),
      );
      statuses.report();
      // The admin can still sign in with their password: the fuzzing changed none.
      const login = await d.app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username: 'alice', password: ADMIN_PASSWORD },
      });
      assert.ok([200, 429].includes(login.statusCode), `${login.statusCode} ${login.body}`);
    });
  });
}
