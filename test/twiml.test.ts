import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Config } from '../src/config/load.ts';
import type { ManualClock } from '../src/domain/clock.ts';
import { DEFAULT_TEXTS } from '../src/domain/messages.ts';
import type { Hotline } from '../src/main.ts';
import {
  SIMULATOR_SIGNATURE_HEADER,
  simulatorSignature,
  simulatorSigningKey,
} from '../src/telephony/simulator/simulator.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { FakeTwilio } from './support/fake-twilio.ts';
import {
  LINE,
  TEST_SECRET,
  callParams,
  postSigned,
  startHotline,
  testConfig,
} from './support/hotline.ts';

/**
 * Whatever the lines table holds, a call is answered with well-formed TwiML: texts saved before
 * operator texts were checked, or written to the database by hand, must not turn every call into a
 * 500. The answers are parsed with a strict XML 1.0 parser (below), not matched with patterns.
 */

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

/**
 * A strict parser for the XML a TwiML builder writes: declaration, elements, attributes, character
 * data and references. It throws on anything that is not well-formed XML 1.0 (a character outside
 * the Char production, "<" or a bare "&" in text, unbalanced or duplicate tags, a reference to a
 * forbidden character). Comments, CDATA, processing instructions and DTDs, which the builder never
 * writes, are refused as unexpected.
 */
function parseXml(xml: string): XmlElement {
  // Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
  const notChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.exec(xml);
  if (notChar)
    throw new Error(`character U+${notChar[0].codePointAt(0)!.toString(16)} at ${notChar.index}`);
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
  };
  const take = (pattern: RegExp): RegExpExecArray | null => {
    const sticky = new RegExp(pattern.source, 'uy');
    sticky.lastIndex = at;
    const m = sticky.exec(xml);
    if (m) at = sticky.lastIndex;
    return m;
  };
  const decode = (raw: string): string => {
    if (raw.includes('<')) fail('"<" in character data');
    return raw.replace(/&([^;]*);|&/g, (ref: string, body?: string) => {
      if (body === undefined) return fail('bare "&"');
      const named = ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as const)[body as 'lt'];
      if (named) return named;
      const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
      if (!num) return fail(`unknown reference ${ref}`);
      const cp = num[1] ? parseInt(num[1], 16) : Number(num[2]);
      if (cp > 0x10ffff) return fail(`reference ${ref}`);
      const char = String.fromCodePoint(cp);
      if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(char))
        fail(`reference to a forbidden character ${ref}`);
      return char;
    });
  };
  const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/;
  function element(): XmlElement {
    if (!take(/</)) fail('expected an element');
    const name = take(NAME)?.[0] ?? fail('expected a tag name');
    const attributes: Record<string, string> = {};
    for (;;) {
      const attribute = take(/\s+([A-Za-z_:][A-Za-z0-9_:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/);
      if (!attribute) break;
      if (Object.hasOwn(attributes, attribute[1]!)) fail(`duplicate attribute ${attribute[1]}`);
      attributes[attribute[1]!] = decode(attribute[2] ?? attribute[3]!);
    }
    take(/\s*/);
    if (take(/\/>/)) return { name, attributes, children: [] };
    if (!take(/>/)) fail(`unterminated <${name}>`);
    const children: (XmlElement | string)[] = [];
    for (;;) {
      const text = take(/[^<]+/);
      if (text) {
        if (text[0].includes(']]>')) fail('"]]>" in character data');
        children.push(decode(text[0]));
      }
      if (take(/<\//)) {
        if (take(NAME)?.[0] !== name) fail(`</…> does not close <${name}>`);
        take(/\s*/);
        if (!take(/>/)) fail(`unterminated </${name}>`);
        return { name, attributes, children };
      }
      if (/^<[!?]/.test(xml.slice(at, at + 2))) fail('unexpected comment, CDATA or PI');
      if (at >= xml.length) fail(`<${name}> is never closed`);
      children.push(element());
    }
  }
  take(/<\?xml\s+version\s*=\s*(["'])1\.\d+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][\w.-]*\2)?\s*\?>/);
  take(/\s*/);
  const root = element();
  take(/\s*/);
  if (at !== xml.length) fail('content after the root element');
  return root;
}

const isElement = (node: XmlElement | string): node is XmlElement => typeof node !== 'string';

/** The verbs of a parsed <Response>, each with its attributes and its text. */
function verbs(
  root: XmlElement,
): { verb: string; attributes: Record<string, string>; text: string }[] {
  assert.equal(root.name, 'Response');
  return root.children.filter(isElement).map((e) => ({
    verb: e.name,
    attributes: e.attributes,
    text: e.children.filter((c) => typeof c === 'string').join(''),
  }));
}

describe('parseXml, the strict checker of these tests', () => {
  it('parses what the official builder writes', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-FR" voice="Polly.Lea">a &lt; b &amp; &#233;</Say><Hangup/></Response>',
    );
    assert.deepEqual(verbs(root), [
      { verb: 'Say', attributes: { language: 'fr-FR', voice: 'Polly.Lea' }, text: 'a < b & é' },
      { verb: 'Hangup', attributes: {}, text: '' },
    ]);
  });

  for (const bad of [
    '<Response><Say>\u0007</Say></Response>',
    '<Response><Say>\u001b[31m</Say></Response>',
    '<Response><Say>\uD800</Say></Response>',
    '<Response><Say>\uFFFE</Say></Response>',
    '<Response><Say>&#0;</Say></Response>',
    '<Response><Say>&#x1b;</Say></Response>',
    '<Response><Say>a & b</Say></Response>',
    '<Response><Say>a < b</Say></Response>',
    '<Response><Say></Response>',
    '<Response><Say a="1" a="2"/></Response>',
    '<Response/><Response/>',
  ])
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseXml(bad));
    });
});

/** Texts an operator could once save, and how a caller must hear them. */
const STORED: { label: string; text: string; spoken: string; postgres: boolean }[] = [
  {
    label: 'a bell, an escape sequence and C1 controls',
    text: 'Bonjour\u0007. Un non \u001b[31mest\u001b[0m un non\u0085\u009b.',
    spoken: 'Bonjour. Un non [31mest[0m un non.',
    postgres: true,
  },
  {
    label: 'noncharacters and a DEL',
    text: 'Au\uFFFE re\u007Fvoir\uFFFF.',
    spoken: 'Au revoir.',
    postgres: true,
  },
  {
    // PostgreSQL text cannot hold NUL at all: only SQLite can have kept one.
    label: 'a NUL byte',
    text: 'Bonjour\u0000 à vous.',
    spoken: 'Bonjour à vous.',
    postgres: false,
  },
  {
    label: 'nothing but control characters (the default message is said instead)',
    text: '\u0001\u0002\u001b',
    spoken: DEFAULT_TEXTS.fr.voice,
    postgres: true,
  },
];

for (const dialect of DIALECTS) {
  describe(`voice answers from bad stored texts [${dialect.name}]`, { skip: dialect.skip }, () => {
    const twilioApi = new FakeTwilio();
    let db: TestDatabase;
    let hotline: Hotline & { clock: ManualClock };
    let base: string;

    before(() => twilioApi.start());
    after(() => twilioApi.stop());
    async function boot(overrides: Partial<Config>) {
      db = await createTestDatabase(dialect.name);
      hotline = await startHotline(testConfig(db.target, overrides));
      base = await hotline.app().listen({ port: 0, host: '127.0.0.1' });
    }
    afterEach(async () => {
      await hotline?.close().catch(() => {});
      await db?.drop();
    });
    /** Writes straight to the lines table, past every check of the API. */
    const store = (values: { voice_text?: string; voice_audio_url?: string }) =>
      hotline.storage.db.updateTable('lines').set(values).where('number', '=', LINE).execute();
    let caller = 0;
    const call = async () => {
      const from = `+336123456${String(++caller).padStart(2, '0')}`;
      const res = await postSigned(
        base,
        '/webhooks/twilio/voice',
        callParams(from),
        twilioApi.authToken,
      );
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    };

    for (const stored of STORED) {
      it(
        `a Twilio call is answered with 200 and well-formed TwiML when the voice text holds ${stored.label}`,
        { skip: dialect.name === 'postgres' && !stored.postgres && 'PostgreSQL cannot store NUL' },
        async () => {
          await boot({ twilio: twilioApi.settings });
          await store({ voice_text: stored.text });
          for (let i = 0; i < 2; i++) {
            const res = await call();
            assert.equal(res.status, 200, res.body);
            assert.match(res.type ?? '', /^text\/xml/);
            assert.deepEqual(verbs(parseXml(res.body)), [
              {
                verb: 'Say',
                attributes: { language: 'fr-FR', voice: 'Polly.Lea' },
                text: stored.spoken,
              },
              { verb: 'Hangup', attributes: {}, text: '' },
            ]);
          }
        },
      );
    }

    it('a Twilio call is answered with well-formed TwiML when the recording URL holds control characters', async () => {
      await boot({ twilio: twilioApi.settings });
      await store({ voice_audio_url: 'https://hotline.example.org/media/voice/\u001b\u0007abc' });
      const res = await call();
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(verbs(parseXml(res.body)), [
        { verb: 'Play', attributes: {}, text: 'https://hotline.example.org/media/voice/abc' },
        { verb: 'Hangup', attributes: {}, text: '' },
      ]);
    });

    it('a simulated call is answered with JSON whose text holds no control character', async () => {
      await boot({});
      await store({ voice_text: STORED[0]!.text });
      const raw = new URLSearchParams({
        Sid: 'SIMCA0001',
        From: '+33639980012',
        To: LINE,
      }).toString();
      const res = await fetch(`${base}/webhooks/simulator/voice`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          [SIMULATOR_SIGNATURE_HEADER]: simulatorSignature(
            simulatorSigningKey(TEST_SECRET),
            '/webhooks/simulator/voice',
            raw,
          ),
        },
        body: raw,
      });
      const body = await res.text();
      assert.equal(res.status, 200, body);
      const answer = JSON.parse(body) as { kind: string; text: string };
      assert.equal(answer.kind, 'say');
      assert.equal(answer.text, STORED[0]!.spoken);
    });

    it('the dashboard’s pretend phone shows the text a caller would hear, without control characters', async () => {
      await boot({});
      await store({ voice_text: STORED[0]!.text });
      const setup = await fetch(`${base}/api/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'a long enough password' }),
      });
      assert.equal(setup.status, 200, await setup.clone().text());
      const { csrfToken } = (await setup.json()) as { csrfToken: string };
      const cookie = setup.headers.getSetCookie()[0]!.split(';')[0]!;
      const line = (await hotline.lines.list()).find((l) => l.number === LINE)!;
      const res = await fetch(`${base}/api/simulator/contact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ lineId: line.id, from: '06 39 98 00 12', kind: 'call' }),
      });
      const body = await res.text();
      assert.equal(res.status, 200, body);
      const answer = JSON.parse(body) as { voice: { kind: string; text: string } };
      assert.deepEqual(answer.voice.kind, 'say');
      assert.equal(answer.voice.text, STORED[0]!.spoken);
    });
  });
}
