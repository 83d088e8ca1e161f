import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { runRules } from '../../src/cli/rules.ts';
import { actorName } from '../../src/cli/operator.ts';
import { run } from '../../src/cli/run.ts';
import { InvalidInputError } from '../../src/domain/errors.ts';
import type { LineDetail, RuleRow, Rules } from '../../src/web/api/contract.ts';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.ts';
import { api, ok, setUp, startDashboard, type Api, type Dashboard } from '../support/dashboard.ts';
import { FakeTwilio } from '../support/fake-twilio.ts';
import { TEST_SECRET, callParams, postSigned, testConfig } from '../support/hotline.ts';

/**
 * Operator input, through the dashboard API and the command line: every bad value is refused with
 * a 4xx (or an exit message) that says what to change, and none is stored where it could break a
 * call. See src/domain/operator-text.ts for what is allowed.
 */

const DAY = 86_400_000;
/** Characters no operator text may hold, each of which used to be stored as it came. */
const CONTROLS = ['\u0000', '\u0007', '\u001b', '\u0085', '\uD83D', '\uFFFE'];

/** A refusal the dashboard can show: a 4xx (400 unless said) with a message, never a 5xx. */
function refused(res: LightMyRequestResponse, why: string, status = 400) {
  assert.equal(res.statusCode, status, `${why}: ${res.statusCode} ${res.body}`);
  const body = res.json<{ error: string; message: string; field?: string }>();
  assert.equal(typeof body.message, 'string', why);
  assert.ok(body.message.length > 10, `${why}: ${body.message}`);
  return body;
}

for (const dialect of DIALECTS) {
  describe(
    `operator input through the dashboard API [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      const twilioApi = new FakeTwilio();
      let d: Dashboard;
      let a: Api;
      let base: string;
      before(() => twilioApi.start());
      after(() => twilioApi.stop());
      beforeEach(async () => {
        d = await startDashboard(dialect.name, { twilio: twilioApi.settings });
        a = api(d.app, await setUp(d.app));
        base = await d.app.listen({ port: 0, host: '127.0.0.1' });
      });
      afterEach(() => d?.close());

      const lineUrl = () => `/api/lines/${d.hotline.defaultLine.id}`;
      const line = async () =>
        ok<LineDetail[]>(await a.get('/api/lines')).find((l) => l.id === d.hotline.defaultLine.id)!;
      let caller = 0;
      const call = () =>
        postSigned(
          base,
          '/webhooks/twilio/voice',
          callParams(`+336123450${String(++caller).padStart(2, '0')}`),
          twilioApi.authToken,
        );

      describe('finding 1: control characters in a line text', () => {
        for (const field of ['voiceText', 'replyText'] as const)
          it(`refuses a ${field} holding a control character or half an emoji with 400 naming the field; calls still get 200`, async () => {
            const before = await line();
            for (const char of CONTROLS) {
              const why = `${field} ${JSON.stringify(char)}`;
              const error = refused(
                await a.patch(lineUrl(), { [field]: `Bonjour${char}, au revoir.` }),
                why,
              );
              assert.equal(error.field, field, why);
              assert.match(error.message, /contains .* at character 8\./, why);
              assert.deepEqual(await line(), before, `${why}: nothing stored`);
              const res = await call();
              assert.equal(res.status, 200, `${why}: ${await res.text()}`);
            }
          });

        it('keeps line breaks and tabs in the SMS and the voice message, with "\\r\\n" stored as "\\n"', async () => {
          const saved = ok<LineDetail>(
            await a.patch(lineUrl(), {
              replyText: 'Bonjour.\r\nUn non est un non.\tMerci.',
              voiceText: ' Bonjour.\nAu revoir. ',
            }),
          );
          assert.equal(saved.replyText, 'Bonjour.\nUn non est un non.\tMerci.');
          assert.equal(saved.voiceText, 'Bonjour.\nAu revoir.');
          const res = await call();
          assert.equal(res.status, 200);
          assert.match(await res.text(), /<Say [^>]*>Bonjour\.\nAu revoir\.<\/Say>/);
        });
      });

      describe('finding 2: every rule and line input gives a 4xx with a message', () => {
        it('refuses a punctuation-only keyword ("!!", "??", "...") with 400, not 500', async () => {
          for (const value of ['!!', '??', '...', '*', '¿¡', '😀', '- -']) {
            const why = `keyword ${value}`;
            const error = refused(await a.post('/api/rules', { kind: 'keyword', value }), why);
            assert.equal(error.field, 'value', why);
            assert.match(error.message, /at least two letters or digits/, why);
          }
          assert.deepEqual(ok<Rules>(await a.get('/api/rules')).rules, []);
        });

        const badRules: [string, Record<string, unknown>][] = [
          ['keyword of one letter', { kind: 'keyword', value: 'a*' }],
          ['empty keyword', { kind: 'keyword', value: '' }],
          ['blank keyword', { kind: 'keyword', value: ' \n ' }],
          ['keyword over 100 characters', { kind: 'keyword', value: 'connard '.repeat(13) }],
          ['keyword as a number', { kind: 'keyword', value: 42 }],
          ['keyword null', { kind: 'keyword', value: null }],
          ['keyword as an array', { kind: 'keyword', value: ['connard'] }],
          ['keyword on two lines', { kind: 'keyword', value: 'con\nnard' }],
          ...CONTROLS.map((c): [string, Record<string, unknown>] => [
            `keyword with ${JSON.stringify(c)}`,
            { kind: 'keyword', value: `con${c}nard` },
          ]),
          ['prefix of punctuation', { kind: 'block_prefix', value: '!!' }],
          ['prefix with ESC', { kind: 'block_prefix', value: '+33\u001b6' }],
          ['prefix as an object', { kind: 'allow_prefix', value: { a: 1 } }],
          ['no kind', { value: 'connard' }],
          ['kind as a number', { kind: 5, value: 'connard' }],
          ['note as a number', { kind: 'keyword', value: 'connard', note: 5 }],
          [
            'note over 300 characters',
            { kind: 'keyword', value: 'connard', note: 'x'.repeat(301) },
          ],
          ['note with ESC', { kind: 'keyword', value: 'connard', note: '\u001b[2J' }],
          ['note on two lines', { kind: 'keyword', value: 'connard', note: 'a\nb' }],
        ];
        it('refuses every bad rule (empty, too long, wrong type, control characters) with 400', async () => {
          for (const [why, body] of badRules) refused(await a.post('/api/rules', body), why);
          assert.deepEqual(ok<Rules>(await a.get('/api/rules')).rules, []);
        });

        it('still adds a keyword with a hidden letter and a note', async () => {
          const rule = ok<RuleRow>(
            await a.post('/api/rules', { kind: 'keyword', value: 'F*CK', note: '  raid du 3  ' }),
          );
          assert.deepEqual([rule.value, rule.note], ['f*ck', 'raid du 3']);
        });

        const badListings: [string, Record<string, unknown>][] = [
          ['empty number', { number: '', on: true }],
          ['number of punctuation', { number: '!!', on: true }],
          ['number with NUL', { number: '06\u000012345678', on: true }],
          ['number with ESC', { number: '06\u001b12345678', on: true }],
          ['number too long', { number: '0'.repeat(41), on: true }],
          ['number as a number', { number: 612345678, on: true }],
          ['on as text', { number: '0612345678', on: 'yes' }],
          ['callerId negative', { callerId: -1, on: true }],
          ['callerId as text', { callerId: '1', on: true }],
          ['callerId 1.5', { callerId: 1.5, on: true }],
        ];
        it('refuses every bad number or caller for a list with 400', async () => {
          for (const [why, body] of badListings)
            refused(await a.post('/api/lists/blocked', body), why);
          assert.deepEqual(ok<Rules>(await a.get('/api/rules')).lists.blocked, []);
        });

        const badLineChanges: [string, Record<string, unknown>][] = [
          ['empty voice text', { voiceText: '' }],
          ['blank SMS text', { replyText: ' \n\t ' }],
          ['voice text as a number', { voiceText: 42 }],
          ['SMS text null', { replyText: null }],
          ['SMS text as an array', { replyText: ['a'] }],
          ['voice text over 2,000 characters', { voiceText: 'a'.repeat(2001) }],
          ['SMS text of 60,000 characters', { replyText: 'a'.repeat(60_000) }],
          ['unknown language', { language: 'de' }],
          ['language as a number', { language: 1 }],
          ['negative delay', { delayMs: -1 }],
          ['delay as text', { delayMs: '60000' }],
          ['fractional delay', { delayMs: 1.5 }],
          ['delay over 7 days', { delayMs: 8 * DAY }],
          ['cooldown over a year', { cooldownMs: 367 * DAY }],
          ['countries as text', { allowedCountries: 'FR' }],
          ['no country', { allowedCountries: [] }],
          ['unknown country', { allowedCountries: ['XX'] }],
          ['country as a number', { allowedCountries: [33] }],
          ['country with NUL', { allowedCountries: ['F\u0000R'] }],
          ['too many countries', { allowedCountries: Array<string>(51).fill('FR') }],
        ];
        it('refuses every bad line change (empty, too long, wrong type, out of range) with 400', async () => {
          const before = await line();
          for (const [why, body] of badLineChanges) refused(await a.patch(lineUrl(), body), why);
          assert.deepEqual(await line(), before);
        });

        it('answers the SMS counter without a server error whatever the text', async () => {
          for (const text of [...CONTROLS, '', '!!', '\uD83D\uD83D'])
            assert.equal((await a.post('/api/sms-cost', { text })).statusCode < 500, true, text);
        });
      });

      describe('finding 3: the SMS text is limited to 10 segments, in its own encoding', () => {
        const save = (replyText: string) => a.patch(lineUrl(), { replyText });

        it('accepts 1,530 GSM-7 characters and refuses 1,531, saying it takes 11 segments', async () => {
          assert.equal(ok<LineDetail>(await save('a'.repeat(1530))).replyText.length, 1530);
          const error = refused(await save('a'.repeat(1531)), 'GSM-7 1531');
          assert.equal(error.field, 'replyText');
          assert.match(
            error.message,
            /^"replyText" is too long: the SMS text takes 11 SMS segments; 10 at most\./,
          );
        });

        it('accepts 670 UCS-2 characters and refuses 671, naming what forces UCS-2', async () => {
          assert.equal(ok<LineDetail>(await save('ç'.repeat(670))).replyText.length, 670);
          const error = refused(await save(`${'a'.repeat(670)}’`), 'UCS-2 671');
          assert.match(error.message, /takes 11 SMS segments/);
          assert.match(error.message, /UCS-2 \(because of "’"\)/);
          refused(await save('Un non est un non ! 🙅‍♀️ '.repeat(60)), 'UCS-2 with emoji');
        });
      });
    },
  );

  describe(
    `operator input through the command line [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      let db: TestDatabase;
      beforeEach(async () => {
        db = await createTestDatabase(dialect.name);
      });
      afterEach(() => db?.drop());
      const rules = (action: string, value: string | null, note: string | null = null) =>
        runRules(testConfig(db.target), { action, value, note, actor: 'test' }, () => {});

      for (const [why, action, value, note] of [
        ['a punctuation-only keyword', 'keyword', '!!', null],
        ['a one-letter keyword', 'keyword', 'a', null],
        ['a keyword with ESC', 'keyword', 'con\u001bnard', null],
        ['a note with ESC', 'keyword', 'connard', '\u001b[2J'],
        ['a number with BEL', 'block', '06\u000712345678', null],
        ['a prefix with NUL', 'block', '+33\u00006*', null],
      ] as const)
        it(`refuses ${why} with InvalidInputError, stores nothing`, async () => {
          await assert.rejects(rules(action, value, note), InvalidInputError);
          const listed: string[] = [];
          await runRules(
            testConfig(db.target),
            { action: 'list', value: null, note: null, actor: 'test' },
            (l) => listed.push(l),
          );
          assert.ok(
            listed.some((l) => /^Keyword rules \(no reply\): none$/.test(l)),
            listed.join('\n'),
          );
        });

      it('refuses --by holding control characters', () => {
        assert.throws(() => actorName('root\u001b[2J'), InvalidInputError);
        assert.equal(actorName('  Alice  '), 'Alice');
      });
    },
  );
}

for (const dialect of DIALECTS) {
  describe(`NUL in any dashboard text field [${dialect.name}]`, { skip: dialect.skip }, () => {
    let d: Dashboard;
    beforeEach(async () => {
      d = await startDashboard(dialect.name);
    });
    afterEach(() => d?.close());

    it('is refused with 400 naming the field, not stored (PostgreSQL cannot hold it: a 500 there)', async () => {
      const a = api(d.app, await setUp(d.app));
      const simulated = await a.post('/api/simulator/contact', {
        lineId: d.hotline.defaultLine.id,
        from: '06 39 98 00 12',
        kind: 'text',
        body: 'Bonjour\u0000',
      });
      assert.equal(refused(simulated, 'simulator body').field, 'body');
      const hold = await a.post('/api/evidence/holds', {
        from: '2026-11-01 10:00',
        to: '2026-11-02 10:00',
        note: 'raid\u0000',
      });
      assert.equal(refused(hold, 'evidence hold note').field, 'note');
      assert.equal(
        refused(await a.post('/api/sms-cost', { text: 'a\u0000' }), 'sms-cost').field,
        'text',
      );
    });
  });
}

describe('nonmerci rules keyword "!!" (the command)', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nonmerci-cli-'));
    process.env.NONMERCI_DATA_DIR = dir;
    process.env.DATABASE_URL = `sqlite://${join(dir, 'nonmerci.db')}`;
    process.env.NONMERCI_SECRET = TEST_SECRET;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits with 1 and a message, not a stack trace', async (t) => {
    const written: string[] = [];
    t.mock.method(process.stderr, 'write', (chunk: string) => written.push(chunk) > 0);
    assert.equal(await run(['rules', 'keyword', '!!']), 1);
    assert.match(written.join(''), /^nonmerci: The keyword "!!" is empty once normalised/);
  });
});
