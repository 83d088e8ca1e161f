/**
 * Property-based fuzzing of the webhook surface, over real HTTP, on every database dialect.
 *
 * 1. Unsigned garbage (random bytes, strings, forms, JSON, content types, headers) on every webhook
 *    is refused with a 4xx and records nothing; bodies over BODY_LIMIT get 413.
 * 2. Correctly signed but malformed webhooks never give a 5xx; a refusal records nothing; a voice
 *    answer never carries caller input.
 * 3. Random methods and paths never give a 5xx.
 *
 * Replay a failure with FUZZ_SEED=<seed printed in the failure>; scale with FUZZ_RUNS=<multiplier>.
 */
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { after, before, describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import twilio from 'twilio';
import { DEMO_LINE_NUMBER } from '../src/main.ts';
import { simulatorSignature, simulatorSigningKey } from '../src/telephony/simulator/simulator.ts';
import { BODY_LIMIT } from '../src/web/app.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { FakeTwilio } from './support/fake-twilio.ts';
import {
  LINE,
  PUBLIC_URL,
  TEST_SECRET,
  callParams,
  startHotline,
  testConfig,
  type TestHotline,
} from './support/hotline.ts';

// ---------------------------------------------------------------------------------------------
// Run control

const RUN_SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUN_SCALE));

/** One seed per file run, printed on failure so the run can be replayed. */
const SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;

async function check<T>(
  t: TestContext,
  property: fc.IAsyncProperty<T>,
  numRuns: number,
  extra: Partial<fc.Parameters<T>> = {},
) {
  t.diagnostic(`seed ${SEED}, ${numRuns} runs`);
  const started = performance.now();
  try {
    // Bounds shrinking; a property that cannot finish its runs in time (about 1 s each normally) fails.
    await fc.assert(property, {
      seed: SEED,
      numRuns,
      interruptAfterTimeLimit: 30_000,
      markInterruptAsFailure: true,
      ...extra,
    });
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nReplay with: FUZZ_SEED=${SEED} node --test test/fuzz.test.ts`,
      { cause: error },
    );
  } finally {
    t.diagnostic(`${Math.round(performance.now() - started)} ms`);
  }
}

// ---------------------------------------------------------------------------------------------
// Database

// ---------------------------------------------------------------------------------------------
// A raw HTTP client: unlike fetch it lets us send any method, duplicated headers, latin-1 header
// values, bodies on GET/DELETE and chunked bodies.

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(
  base: URL,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders,
  body?: Buffer,
  chunked = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      { host: base.hostname, port: base.port, method, path, headers, agent: false },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(15_000, () =>
      req.destroy(new Error(`no answer to ${method} ${path.slice(0, 80)} within 15 s`)),
    );
    // The server may answer (413, 415) and close before reading the whole body: that is an answer.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (body === undefined) {
      req.end();
    } else if (chunked) {
      const cut = Math.floor(body.length / 2);
      req.write(body.subarray(0, cut));
      req.end(body.subarray(cut));
    } else {
      req.end(body);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const FORM = 'application/x-www-form-urlencoded';
const TWILIO_PATHS = [
  '/webhooks/twilio/voice',
  '/webhooks/twilio/sms',
  '/webhooks/twilio/status',
] as const;
const SIMULATOR_PATHS = [
  '/webhooks/simulator/voice',
  '/webhooks/simulator/sms',
  '/webhooks/simulator/status',
] as const;
const WEBHOOK_PATHS = [...TWILIO_PATHS, ...SIMULATOR_PATHS];
const SIM_LINE = DEMO_LINE_NUMBER;

/** Percent-encodes any string, lone surrogates included (they become U+FFFD, as a browser would send). */
const enc = (s: string) => encodeURIComponent(s.toWellFormed());

const hexUnit = fc.constantFrom(...'0123456789abcdef');
const hex = (length: number) => fc.string({ unit: hexUnit, minLength: length, maxLength: length });

/** Characters Node lets through in a header value (tab, visible ASCII, latin-1). */
const headerChar = fc
  .oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0x80, max: 0xff }),
    fc.constant(0x09),
  )
  .map((c) => String.fromCharCode(c));
const headerValue = (maxLength = 120) => fc.string({ unit: headerChar, maxLength });

/** What callers type into a field: the nasty part of the input space. */
const INJECTIONS = [
  '<Say>pwned</Say>',
  '<Play>https://evil.example/scream.mp3</Play>',
  '</Say><Dial>+33612345678</Dial><Say>',
  '<Redirect method="POST">https://evil.example/twiml</Redirect>',
  '<Gather input="dtmf" action="https://evil.example"/>',
  ']]><Hangup/><![CDATA[',
  '<?xml version="1.0"?><Response><Reject/></Response>',
  '<!-- --><Record maxLength="3600"/>',
  '"/><Sms to="+33612345678">spam</Sms><x a="',
  '&lt;Play&gt;https://evil.example&lt;/Play&gt;',
  '<script>alert(1)</script>',
  '{"kind":"play","url":"https://evil.example/a.mp3"}',
  "'; DROP TABLE contacts; --",
  '%00%0d%0a<Play>x</Play>',
];
const NUMBERS = [
  LINE,
  SIM_LINE,
  '+33612345678',
  'Anonymous',
  'Restricted',
  ' +33 9 39 00 00 01 ',
  '0939000001',
  '+',
  '++33939000001',
  '+0',
  '00',
  '+33',
  '+3363998',
  '+339390000011234567890',
];
const ODD = [
  '',
  ' ',
  'NaN',
  'null',
  'undefined',
  '-1',
  '1e308',
  '-0.07600',
  '[object Object]',
  '__proto__',
  'constructor',
  '\u202e',
  '\ufeff',
  '\ud800',
  'é'.normalize('NFD'),
  '𝕏'.repeat(20),
];

function nasty(longMax: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...ODD) },
    { weight: 2, arbitrary: fc.constantFrom(...NUMBERS) },
    { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...NUMBERS), fc.constantFrom(...INJECTIONS))
        .map(([a, b]) => a + b),
    },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: 'binary',
        minLength: Math.min(200, longMax),
        maxLength: longMax,
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('a', '9', '<', 'é', '\u0000'), fc.integer({ min: 1, max: longMax }))
        .map(([c, n]) => c.repeat(n)),
    },
  );
}

const TWILIO_FIELDS = [
  'CallSid',
  'MessageSid',
  'SmsSid',
  'AccountSid',
  'From',
  'To',
  'Body',
  'CallStatus',
  'Direction',
  'NumSegments',
  'MessageStatus',
  'SmsStatus',
  'ErrorCode',
  'Price',
];
const SIMULATOR_FIELDS = ['Sid', 'From', 'To', 'Body', 'Status'];

/** A field name: a known one, a random one, a percent-garbage one, or a very long one. */
const fieldName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TWILIO_FIELDS, ...SIMULATOR_FIELDS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
      'raw',
      'params',
      'From[]',
      'To[0]',
      'a.b',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.string({ minLength: 1000, maxLength: 8000 }) },
);

/** One encoded piece of a form: properly encoded, or raw bytes and broken escapes. */
const PERCENT_GARBAGE = [
  '%',
  '%%',
  '%z',
  '%zz',
  '%0',
  '%E0%A4',
  '%C3',
  '%ED%A0%80',
  '%FF%FE',
  '%00',
  '%0D%0A',
  '+',
  '&',
  '=',
  '==',
  '&&',
  ';',
  '%u00e9',
  '%2',
  '%25%32',
];
const formPiece = (arb: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: arb.map(enc) },
    { weight: 1, arbitrary: arb },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.oneof(fc.constantFrom(...PERCENT_GARBAGE), fc.string({ maxLength: 4 })), {
          maxLength: 8,
        })
        .map((a) => a.join('')),
    },
  );

/** A form-encoded body, possibly with duplicated fields, broken escapes, NUL bytes and long names. */
const formBody = fc
  .tuple(
    fc.array(
      fc.tuple(formPiece(fieldName), fc.option(formPiece(nasty(3000)), { nil: undefined })),
      { maxLength: 10 },
    ),
    fc.option(fc.nat(), { nil: undefined }),
    fc.constantFrom('&', '&', '&&', ';'),
  )
  .map(([pairs, duplicate, separator]) => {
    const parts = pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
    if (duplicate !== undefined && parts.length > 0) parts.push(parts[duplicate % parts.length]!);
    return parts.join(separator);
  });

const FORM_TYPES = [
  FORM,
  `${FORM}; charset=utf-8`,
  `${FORM}; charset=latin1`,
  'APPLICATION/X-WWW-FORM-URLENCODED',
  `${FORM};;;charset="`,
  `${FORM}, application/json`,
];
const OTHER_TYPES = [
  'application/json',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=----fuzz',
  'multipart/form-data',
  'text/plain',
  'text/plain; charset=utf-8',
  'text/xml',
  'application/xml',
  'application/octet-stream',
  '*/*',
  '',
  ' ',
  ';',
];
/** Mostly form-encoded, so that most requests get past the parser to the signature check. */
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FORM_TYPES) },
  { weight: 4, arbitrary: fc.constantFrom(...OTHER_TYPES) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: headerValue(60) },
);

const MULTIPART =
  '------fuzz\r\nContent-Disposition: form-data; name="From"\r\n\r\n+33612345678\r\n------fuzz\r\nContent-Disposition: form-data; name="To"\r\n\r\n+33939000001\r\n------fuzz--\r\n';

const anyBody = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)) },
  {
    weight: 3,
    arbitrary: fc.string({ unit: 'binary', maxLength: 500 }).map((s) => Buffer.from(s, 'utf8')),
  },
  { weight: 6, arbitrary: formBody.map((s) => Buffer.from(s, 'utf8')) },
  {
    weight: 3,
    arbitrary: fc
      .jsonValue({ maxDepth: 3 })
      .map((v) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8')),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '{',
        '[',
        '"',
        '{"a":',
        'null',
        '{"__proto__":{"x":1}}',
        '{"constructor":{"prototype":{}}}',
        MULTIPART,
      )
      .map((s) => Buffer.from(s)),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('utf16le', 'latin1', 'ucs2')
      .chain((enc) => formBody.map((s) => Buffer.from(s, enc as BufferEncoding))),
  },
);

/** Signature and other headers an attacker controls; none of them can be a valid signature. */
const attackerHeaders = fc.record(
  {
    'x-twilio-signature': fc.oneof(
      headerValue(),
      fc.base64String({ minLength: 28, maxLength: 28 }),
      fc.array(fc.base64String({ minLength: 28, maxLength: 28 }), { minLength: 2, maxLength: 3 }),
      fc.constant(''),
    ),
    'x-nonmerci-signature': fc.oneof(
      hex(64),
      hex(64).map((h) => h.toUpperCase()),
      headerValue(),
      fc.array(hex(64), { minLength: 2, maxLength: 2 }),
      fc.constant(''),
    ),
    'content-encoding': fc.constantFrom(
      'gzip',
      'deflate',
      'br',
      'identity',
      'x-fuzz',
      'gzip, gzip',
    ),
    'x-forwarded-for': headerValue(40),
    'x-forwarded-proto': fc.constantFrom('http', 'https', 'gopher'),
    accept: headerValue(40),
    'x-fuzz': headerValue(),
  },
  { requiredKeys: [] },
);

/** A query string: nothing, a key, or percent garbage. */
const query = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: nasty(300).map((k) => `?key=${enc(k)}`) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.constantFrom(...PERCENT_GARBAGE, 'key', 'a', '?', '/', '#'), { maxLength: 10 })
      .map((a) => `?${a.join('').replaceAll('#', '%23')}`),
  },
);

// ---------------------------------------------------------------------------------------------
// TwiML checks

const TWIML_ELEMENTS = new Set(['Response', 'Say', 'Play', 'Hangup', 'Reject']);

function twimlElements(xml: string): string[] {
  assert.ok(
    xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>'),
    `not TwiML: ${xml.slice(0, 200)}`,
  );
  const rest = xml.slice('<?xml version="1.0" encoding="UTF-8"?>'.length);
  assert.ok(
    !/<[!?]/.test(rest),
    `TwiML carries a comment, CDATA or processing instruction: ${rest.slice(0, 300)}`,
  );
  return [...rest.matchAll(/<\/?([^\s/>]+)/g)].map((m) => m[1]!);
}

/** Markup taken from caller input, e.g. "<Play>" out of "<Play>https://evil</Play>". */
function injectedTags(values: Iterable<string>): string[] {
  const tags: string[] = [];
  for (const v of values) for (const m of v.matchAll(/<\/?[A-Za-z!?\]][^<>]*>?/g)) tags.push(m[0]);
  return tags;
}

// ---------------------------------------------------------------------------------------------

for (const dialect of DIALECTS) {
  describe(`webhook fuzzing over HTTP [${dialect.name}]`, { skip: dialect.skip }, () => {
    const twilioApi = new FakeTwilio();
    const simKey = simulatorSigningKey(TEST_SECRET);
    let db: TestDatabase;
    let hotline: TestHotline;
    let base: URL;
    /** Exact answers to a well-formed call, observed before fuzzing. */
    let twimlAnswer: string;
    let simulatorAnswer: string;

    const signTwilio = (path: string, params: Record<string, string>) =>
      twilio.getExpectedTwilioSignature(twilioApi.authToken, PUBLIC_URL + path, params);

    function postForm(
      path: string,
      params: Record<string, string>,
      headers: OutgoingHttpHeaders,
    ): Promise<Answer> {
      return send(
        base,
        'POST',
        path,
        { 'content-type': FORM, ...headers },
        Buffer.from(new URLSearchParams(params).toString(), 'utf8'),
      );
    }
    function postSignedTwilio(path: string, params: Record<string, string>) {
      return postForm(path, params, { 'x-twilio-signature': signTwilio(path, params) });
    }
    function postSignedSimulator(path: string, params: Record<string, string>) {
      const raw = new URLSearchParams(params).toString();
      return send(
        base,
        'POST',
        path,
        { 'content-type': FORM, 'x-nonmerci-signature': simulatorSignature(simKey, path, raw) },
        Buffer.from(raw, 'utf8'),
      );
    }

    interface Counts {
      contacts: number;
      callers: number;
      replies: number;
      sim_messages: number;
    }
    /** What is recorded, once every event acknowledged so far has left the intake log. */
    async function counts(): Promise<Counts> {
      await hotline.processor.drain();
      const { rows } = await sql<Record<keyof Counts, number | string>>`
        select (select count(*) from contacts) as contacts, (select count(*) from callers) as callers,
               (select count(*) from replies) as replies, (select count(*) from sim_messages) as sim_messages`.execute(
        hotline.storage.db,
      );
      const row = rows[0]!;
      return {
        contacts: Number(row.contacts),
        callers: Number(row.callers),
        replies: Number(row.replies),
        sim_messages: Number(row.sim_messages),
      };
    }

    async function assertHealthy() {
      const health = await send(base, 'GET', '/healthz', {});
      assert.equal(health.status, 200, `healthz answered ${health.status}: ${health.body}`);
      assert.deepEqual(JSON.parse(health.body), { status: 'ok' });
    }

    function describeRequest(
      method: string,
      path: string,
      headers: OutgoingHttpHeaders,
      payload?: Buffer,
    ) {
      const shown =
        payload === undefined
          ? '(none)'
          : JSON.stringify(payload.subarray(0, 300).toString('latin1'));
      return `${method} ${path.slice(0, 200)} headers=${JSON.stringify(headers).slice(0, 400)} body[${payload?.length ?? 0}]=${shown}`;
    }

    before(async () => {
      await twilioApi.start();
      db = await createTestDatabase(dialect.name);
      hotline = await startHotline(
        testConfig(db.target, {
          twilio: twilioApi.settings,
        }),
      );
      // A second line on the simulator, so that signed simulator webhooks can reach the database too.
      await hotline.lines.upsert(
        { ...hotline.defaultLine, number: SIM_LINE, provider: 'simulator' },
        hotline.clock.now(),
      );
      base = new URL(await hotline.app().listen({ port: 0, host: '127.0.0.1' }));

      const call = await postSignedTwilio('/webhooks/twilio/voice', callParams('+33612345678'));
      assert.equal(call.status, 200, call.body);
      twimlAnswer = call.body;
      assert.deepEqual(twimlElements(twimlAnswer), [
        'Response',
        'Say',
        'Say',
        'Hangup',
        'Response',
      ]);
      const simCall = await postSignedSimulator('/webhooks/simulator/voice', {
        Sid: 'SIMCAfuzzsetup',
        From: '+33639980012',
        To: SIM_LINE,
      });
      assert.equal(simCall.status, 200, simCall.body);
      simulatorAnswer = simCall.body;
    });

    after(async () => {
      await hotline?.close();
      await db?.drop();
      await twilioApi.stop();
    });

    // -----------------------------------------------------------------------------------------
    // 1. Unsigned garbage

    it('refuses arbitrary unsigned requests on every webhook with a 4xx and records nothing', async (t) => {
      const statuses = new Map<number, number>();
      await check(
        t,
        fc.asyncProperty(
          fc.constantFrom(...WEBHOOK_PATHS),
          query,
          contentType,
          attackerHeaders,
          anyBody,
          fc.boolean(),
          async (path, q, type, headers, payload, chunked) => {
            const all: OutgoingHttpHeaders = { ...headers };
            if (type !== undefined) all['content-type'] = type;
            const prior = await counts();
            const res = await send(base, 'POST', path + q, all, payload, chunked);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            const what = describeRequest('POST', path + q, all, payload);
            assert.ok(
              res.status >= 400 && res.status < 500,
              `answered ${res.status} to ${what}: ${res.body.slice(0, 300)}`,
            );
            if (res.body !== '') {
              const parsed = JSON.parse(res.body) as { error?: unknown; message?: unknown };
              assert.equal(
                typeof parsed.error,
                'string',
                `refusal without an error code: ${res.body}`,
              );
            }
            assert.deepEqual(
              await counts(),
              prior,
              `a refused request changed the database: ${what}`,
            );
          },
        ),
        runs(300),
      );
      t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
      await assertHealthy();
    });

    it('answers 413 to form bodies over 64 KiB (415 to any other type, refused before reading)', async (t) => {
      const start = await counts();
      // The boundary itself: exactly BODY_LIMIT bytes is read (and refused for its signature).
      const atLimit = Buffer.alloc(BODY_LIMIT, 'a');
      assert.equal(
        (await send(base, 'POST', '/webhooks/twilio/voice', { 'content-type': FORM }, atLimit))
          .status,
        403,
      );
      assert.equal(
        (
          await send(
            base,
            'POST',
            '/webhooks/twilio/voice',
            { 'content-type': FORM },
            Buffer.alloc(BODY_LIMIT + 1, 'a'),
          )
        ).status,
        413,
      );
      assert.deepEqual(await counts(), start);
      await check(
        t,
        fc.asyncProperty(
          fc.constantFrom(...WEBHOOK_PATHS),
          fc.oneof(
            {
              weight: 4,
              arbitrary: fc.constantFrom(
                FORM,
                `${FORM}; charset=utf-8`,
                'application/json',
                'text/plain',
              ),
            },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                'multipart/form-data; boundary=x',
                'application/xml',
                'application/octet-stream',
              ),
            },
            { weight: 1, arbitrary: fc.constant(undefined) },
          ),
          fc.integer({ min: BODY_LIMIT + 1, max: 4 * BODY_LIMIT }),
          fc.constantFrom('a', '%', '=', '&', 'é', '\u0000', '{'),
          attackerHeaders,
          fc.boolean(),
          async (path, type, size, fill, headers, chunked) => {
            const all: OutgoingHttpHeaders = { ...headers };
            if (type !== undefined) all['content-type'] = type;
            const payload = Buffer.alloc(size, fill);
            const prior = await counts();
            const res = await send(base, 'POST', path, all, payload, chunked);
            const hasParser =
              type !== undefined && /^application\/x-www-form-urlencoded/.test(type);
            const expected = hasParser ? [413] : [413, 415];
            assert.ok(
              expected.includes(res.status),
              `answered ${res.status} to ${size} bytes of ${type ?? '(no type)'} ${chunked ? 'chunked' : ''}: ${res.body}`,
            );
            assert.deepEqual(await counts(), prior);
          },
        ),
        runs(40),
      );
      await assertHealthy();
    });

    it('refuses JSON bodies shaped like a parsed form ({raw, params}) instead of failing', async (t) => {
      await check(
        t,
        fc.asyncProperty(
          fc.constantFrom(...WEBHOOK_PATHS),
          fc.record({
            raw: fc.jsonValue({ maxDepth: 2 }),
            params: fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 2 })),
          }),
          fc.oneof(hex(64), fc.base64String({ minLength: 28, maxLength: 28 })),
          async (path, shaped, signature) => {
            const payload = Buffer.from(JSON.stringify(shaped));
            const headers = {
              'content-type': 'application/json',
              'x-twilio-signature': signature,
              'x-nonmerci-signature': signature,
            };
            const prior = await counts();
            const res = await send(base, 'POST', path, headers, payload);
            assert.ok(
              res.status >= 400 && res.status < 500,
              `answered ${res.status} to ${describeRequest('POST', path, headers, payload)}`,
            );
            assert.deepEqual(await counts(), prior);
          },
        ),
        runs(100),
        { endOnFailure: true },
      );
      await assertHealthy();
    });

    it('records only what the simulator signature covers', async () => {
      const start = await counts();
      const raw = 'anything-the-attacker-once-saw-signed';
      const forged = JSON.stringify({
        raw,
        params: { Sid: 'SIMCAforged', From: '+33612345678', To: SIM_LINE },
      });
      const res = await send(
        base,
        'POST',
        '/webhooks/simulator/voice',
        {
          'content-type': 'application/json',
          'x-nonmerci-signature': simulatorSignature(simKey, '/webhooks/simulator/voice', raw),
        },
        Buffer.from(forged),
      );
      assert.ok(
        res.status >= 400 && res.status < 500,
        `a body whose fields are not signed was answered ${res.status}: ${res.body}`,
      );
      assert.deepEqual(await counts(), start);
    });

    it('refuses tampered signed webhooks with 403 and records nothing', async (t) => {
      await check(
        t,
        fc.asyncProperty(
          fc.boolean(),
          fc.constantFrom('voice', 'sms', 'status'),
          fc.constantFrom('change', 'add', 'remove', 'url', 'token', 'case'),
          fieldName.filter((k) => k !== '__proto__' && k.length < 100),
          nasty(200),
          async (isTwilio, kind, tamper, field, value) => {
            const params: Record<string, string> = isTwilio
              ? {
                  ...callParams('+33612345678'),
                  MessageSid: `SM${'1'.repeat(32)}`,
                  Body: 'salut',
                  MessageStatus: 'delivered',
                }
              : {
                  Sid: `SIMCA${Date.now()}`,
                  From: '+33639980012',
                  To: SIM_LINE,
                  Body: 'salut',
                  Status: 'delivered',
                };
            const path = `/webhooks/${isTwilio ? 'twilio' : 'simulator'}/${kind}`;
            const sigTwilio =
              tamper === 'url'
                ? twilio.getExpectedTwilioSignature(
                    twilioApi.authToken,
                    `https://evil.example${path}`,
                    params,
                  )
                : tamper === 'token'
                  ? twilio.getExpectedTwilioSignature('not-the-token', PUBLIC_URL + path, params)
                  : signTwilio(path, params);
            const signed = new URLSearchParams(params).toString();
            const sigSim =
              tamper === 'token'
                ? simulatorSignature(
                    simulatorSigningKey('another-secret-0123456789-abcdefghijklmnop'),
                    path,
                    signed,
                  )
                : tamper === 'url'
                  ? simulatorSignature(
                      simKey,
                      path.replace(kind, kind === 'sms' ? 'voice' : 'sms'),
                      signed,
                    )
                  : simulatorSignature(simKey, path, signed);
            const sent = { ...params };
            if (tamper === 'change') sent.To = sent.To === value ? `${value}0` : value;
            if (tamper === 'add') sent[Object.hasOwn(sent, field) ? `${field}X` : field] = value;
            if (tamper === 'remove') delete sent.From;
            const headers: OutgoingHttpHeaders = isTwilio
              ? { 'x-twilio-signature': tamper === 'case' ? sigTwilio.toLowerCase() : sigTwilio }
              : { 'x-nonmerci-signature': tamper === 'case' ? sigSim.toUpperCase() : sigSim };
            // Tampers that do not change what a provider signs are not tampers for it: Twilio
            // concatenates name and value, so an added empty field with an empty name adds nothing
            // to the signed string. For the simulator, 'url' is a signature made for another endpoint.
            if (isTwilio && tamper === 'add' && field === '' && value === '') return;
            if (isTwilio && tamper === 'case' && sigTwilio.toLowerCase() === sigTwilio) return;
            const prior = await counts();
            const res = await postForm(path, sent, headers);
            assert.equal(
              res.status,
              403,
              `tamper "${tamper}" (${field}=${JSON.stringify(value).slice(0, 80)}) on ${path} answered ${res.status}: ${res.body.slice(0, 200)}`,
            );
            assert.deepEqual(await counts(), prior);
          },
        ),
        runs(150),
      );
      await assertHealthy();
    });

    // -----------------------------------------------------------------------------------------
    // 2. Signed but malformed

    const sidLike = (prefix: string, longMax: number) =>
      fc.oneof(
        { weight: 4, arbitrary: hex(32).map((h) => prefix + h) },
        { weight: 3, arbitrary: nasty(longMax) },
      );
    const toField = (line: string) =>
      fc.oneof(
        { weight: 5, arbitrary: fc.constant(line) },
        { weight: 1, arbitrary: fc.constantFrom(...NUMBERS) },
        { weight: 2, arbitrary: nasty(3000) },
      );
    const statusWord = fc.oneof(
      fc.constantFrom(
        'delivered',
        'undelivered',
        'failed',
        'sent',
        'queued',
        'read',
        'canceled',
        'receiving',
      ),
      nasty(200),
    );

    /** Sid-like fields end up in a unique index; the query's key in a look-up. */
    const SID_FIELDS = new Set(['CallSid', 'MessageSid', 'SmsSid', 'Sid', 'key']);

    const twilioParams = (sidMax: number) =>
      fc
        .tuple(
          fc.record(
            {
              CallSid: sidLike('CA', sidMax),
              MessageSid: sidLike('SM', sidMax),
              SmsSid: sidLike('SM', sidMax),
              AccountSid: fc.oneof(fc.constant(twilioApi.accountSid), nasty(200)),
              From: fc.oneof(fc.constantFrom(...NUMBERS), nasty(3000)),
              To: toField(LINE),
              Body: nasty(5000),
              CallStatus: fc.oneof(fc.constant('ringing'), nasty(100)),
              Direction: fc.oneof(fc.constant('inbound'), nasty(100)),
              NumSegments: fc.oneof(fc.constant('1'), nasty(100)),
              MessageStatus: statusWord,
              SmsStatus: statusWord,
              ErrorCode: fc.oneof(fc.constantFrom('', '30003', '21610'), nasty(100)),
              Price: fc.oneof(
                fc.constantFrom(
                  '-0.07600',
                  '',
                  '1e400',
                  '-1e300',
                  'NaN',
                  '-Infinity',
                  '0x10',
                  '-0,076',
                ),
                nasty(100),
              ),
            },
            { requiredKeys: [] },
          ),
          fc.dictionary(fieldName, nasty(500), { maxKeys: 3 }),
        )
        .map(([fields, extra]) => ({ ...extra, ...fields }));

    const simulatorParams = (sidMax: number) =>
      fc
        .tuple(
          fc.record(
            {
              Sid: sidLike('SIMCA', sidMax),
              From: fc.oneof(fc.constantFrom(...NUMBERS), nasty(3000)),
              To: toField(SIM_LINE),
              Body: nasty(5000),
              Status: statusWord,
            },
            { requiredKeys: [] },
          ),
          fc.dictionary(fieldName, nasty(500), { maxKeys: 3 }),
        )
        .map(([fields, extra]) => ({ ...extra, ...fields }));

    /** Status callbacks carry our idempotency key in the query string, which Twilio signs. */
    const signedQuery = fc.oneof(
      { weight: 3, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: fc.uuid().map((k) => `?key=${k}`) },
      { weight: 2, arbitrary: nasty(300).map((k) => `?key=${enc(k)}`) },
    );

    async function signedCase(path: string, q: string, params: Record<string, string>) {
      const isTwilio = path.startsWith('/webhooks/twilio/');
      const prior = await counts();
      const res = isTwilio
        ? await postSignedTwilio(path + q, params)
        : await postSignedSimulator(path + q, params);
      const what = `signed POST ${path}${q.slice(0, 100)} params=${JSON.stringify(params).slice(0, 600)}`;
      assert.ok(res.status < 500, `answered ${res.status} to ${what}: ${res.body.slice(0, 300)}`);
      const now = await counts();
      if (res.status >= 400) {
        assert.deepEqual(
          now,
          prior,
          `a refused (${res.status}) webhook changed the database: ${what}`,
        );
        return res.status;
      }
      for (const table of ['contacts', 'callers', 'replies'] as const) {
        assert.ok(
          now[table] - prior[table] <= 1,
          `one webhook added ${now[table] - prior[table]} ${table}: ${what}`,
        );
      }
      assert.equal(now.sim_messages, prior.sim_messages);
      if (path.endsWith('/status')) {
        assert.equal(res.status, 204, `${what} → ${res.status}`);
        assert.deepEqual(now, prior, 'a status callback created rows');
        return res.status;
      }
      assert.equal(res.status, 200, `${what} → ${res.status}`);
      const values = [...Object.keys(params), ...Object.values(params)];
      if (isTwilio) {
        assert.match(String(res.headers['content-type']), /^text\/xml/);
        if (path.endsWith('/voice')) {
          const elements = twimlElements(res.body);
          for (const e of elements)
            assert.ok(
              TWIML_ELEMENTS.has(e),
              `unexpected TwiML element <${e}> answering ${what}: ${res.body}`,
            );
          for (const tag of injectedTags(values)) {
            if (!twimlAnswer.includes(tag))
              assert.ok(
                !res.body.includes(tag),
                `caller markup ${tag} echoed in TwiML: ${res.body}`,
              );
          }
          assert.equal(res.body, twimlAnswer, `the voice answer depends on caller input: ${what}`);
        } else {
          assert.equal(res.body, '<?xml version="1.0" encoding="UTF-8"?><Response/>');
        }
      } else if (path.endsWith('/voice')) {
        assert.equal(
          res.body,
          simulatorAnswer,
          `the simulated voice answer depends on caller input: ${what}`,
        );
      } else {
        assert.deepEqual(JSON.parse(res.body), { received: true });
      }
      return res.status;
    }

    /** Drops NUL bytes and keeps indexed fields short: the cases the next-but-one property covers. */
    function tame(params: Record<string, string>): Record<string, string> {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(params))
        out[k.replaceAll('\0', '')] = SID_FIELDS.has(k)
          ? v.replaceAll('\0', '').slice(0, 500)
          : v.replaceAll('\0', '');
      return out;
    }

    it('never fails on correctly signed but malformed webhooks, and refusals record nothing', async (t) => {
      const statuses = new Map<string, number>();
      const endpoint = fc.oneof(
        fc.tuple(fc.constantFrom(...TWILIO_PATHS), twilioParams(500)),
        fc.tuple(fc.constantFrom(...SIMULATOR_PATHS), simulatorParams(500)),
      );
      await check(
        t,
        fc.asyncProperty(endpoint, signedQuery, async ([path, params], q) => {
          const cleanQuery = q.replaceAll('%00', '').slice(0, 500);
          const status = await signedCase(path, cleanQuery, tame(params));
          const key = `${path.split('/').slice(2).join('/')} ${status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }),
        runs(300),
      );
      t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      await assertHealthy();
    });

    it('never fails on signed webhooks carrying NUL bytes or very long sids', async (t) => {
      const statuses = new Map<string, number>();
      const hostile = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 20 }).map((s) => `${s}\u0000${s}`),
        fc.string({ unit: 'grapheme-ascii', minLength: 3000, maxLength: 6000 }),
      );
      await check(
        t,
        fc.asyncProperty(
          fc.constantFrom(...WEBHOOK_PATHS),
          fc.constantFrom('sid', 'Body', 'From', 'To', 'key'),
          hostile,
          fc.nat(),
          async (path, target, value, n) => {
            const isTwilio = path.startsWith('/webhooks/twilio/');
            const kind = path.split('/')[3]!;
            const sid = `${n}-${Date.now()}`;
            const params: Record<string, string> = isTwilio
              ? kind === 'voice'
                ? { CallSid: `CA${sid}`, From: '+33612345678', To: LINE }
                : {
                    MessageSid: `SM${sid}`,
                    From: '+33612345678',
                    To: LINE,
                    Body: 'salut',
                    MessageStatus: 'delivered',
                  }
              : {
                  Sid: `SIM${sid}`,
                  From: '+33639980012',
                  To: SIM_LINE,
                  Body: 'salut',
                  Status: 'delivered',
                };
            let q = '';
            if (target === 'sid')
              params[isTwilio ? (kind === 'voice' ? 'CallSid' : 'MessageSid') : 'Sid'] = value;
            else if (target === 'key') q = `?key=${enc(value)}`;
            else params[target] = value;
            const status = await signedCase(path, q, params);
            statuses.set(`${target} ${status}`, (statuses.get(`${target} ${status}`) ?? 0) + 1);
          },
        ),
        runs(60),
        { endOnFailure: true },
      );
      t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
      await assertHealthy();
    });

    // -----------------------------------------------------------------------------------------
    // 3. Random methods and paths

    it('answers random methods on random paths without a 5xx', async (t) => {
      const statuses = new Map<number, number>();
      const segment = fc.oneof(
        fc.constantFrom(
          'webhooks',
          'twilio',
          'simulator',
          'voice',
          'sms',
          'status',
          'healthz',
          'metrics',
          '..',
          '.',
          '',
          '%2e%2e',
          '%2F',
          '%00',
          '%zz',
          '%',
          '~',
          'admin',
          '__proto__',
          'constructor',
          ';',
          '*',
        ),
        fc.string({
          unit: fc
            .integer({ min: 0x21, max: 0x7e })
            .map((c) => String.fromCharCode(c))
            .filter((c) => c !== '?' && c !== '#'),
          maxLength: 12,
        }),
        fc.string({ unit: 'grapheme', maxLength: 8 }).map(enc),
      );
      const path = fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .constantFrom(
              '/',
              '/healthz',
              '/metrics',
              '/webhooks',
              '/webhooks/',
              '/webhooks/twilio',
              ...WEBHOOK_PATHS,
            )
            .chain((p) => query.map((q) => p + q)),
        },
        {
          weight: 2,
          arbitrary: fc
            .constantFrom(...WEBHOOK_PATHS)
            .chain((p) =>
              fc
                .constantFrom('/', '//', '/..', '.json', '%00', '%20', '?', '/x', ';a=b')
                .map((s) => p + s),
            ),
        },
        {
          weight: 4,
          arbitrary: fc
            .array(segment, { minLength: 1, maxLength: 8 })
            .map((s) => `/${s.join('/')}`),
        },
        {
          weight: 1,
          arbitrary: fc.integer({ min: 1000, max: 7000 }).map((n) => `/webhooks/${'a'.repeat(n)}`),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '//webhooks/twilio/voice',
            '/WEBHOOKS/TWILIO/VOICE',
            '/webhooks/twilio/voice%2F..',
            '/webhooks%2Ftwilio%2Fvoice',
            '*',
            '/%2e%2e/%2e%2e/etc/passwd',
          ),
        },
      );
      const method = fc.constantFrom(
        'GET',
        'PUT',
        'DELETE',
        'PATCH',
        'OPTIONS',
        'HEAD',
        'POST',
        'TRACE',
        'PROPFIND',
        'SEARCH',
        'MKCOL',
        'LOCK',
        'PURGE',
      );
      await check(
        t,
        fc.asyncProperty(
          method,
          path,
          fc.option(contentType, { nil: undefined }),
          fc.option(anyBody, { nil: undefined }),
          attackerHeaders,
          async (m, p, type, payload, headers) => {
            const all: OutgoingHttpHeaders = { ...headers };
            if (type !== undefined) all['content-type'] = type;
            const prior = await counts();
            const res = await send(
              base,
              m,
              p,
              all,
              m === 'HEAD' || m === 'TRACE' ? undefined : payload,
            );
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            assert.ok(
              res.status < 500 && res.status >= 200,
              `answered ${res.status} to ${describeRequest(m, p, all, payload)}: ${res.body.slice(0, 300)}`,
            );
            assert.deepEqual(await counts(), prior);
          },
        ),
        runs(250),
      );
      t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
      await assertHealthy();
    });

    it('still answers /healthz and well-formed webhooks after the fuzzing', async () => {
      await assertHealthy();
      const call = await postSignedTwilio('/webhooks/twilio/voice', callParams('+33612345600'));
      assert.equal(call.status, 200);
      assert.equal(call.body, twimlAnswer);
    });
  });
}
