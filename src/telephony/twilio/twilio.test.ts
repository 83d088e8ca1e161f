import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import webhooks from 'twilio/lib/webhooks/webhooks.js';
import { InvalidInputError } from '../../domain/errors.ts';
import { DEFAULT_TEXTS } from '../../domain/messages.ts';
import type { VoiceAnswer, WebhookRequest } from '../provider.ts';
import { parsePrice } from './messages-api.ts';
import { TwilioProvider } from './twilio.ts';

const SID = `AC${'0'.repeat(32)}`;

function provider(authToken: string): TwilioProvider {
  // The API URL is never called: these tests only verify, parse and render.
  return new TwilioProvider({ accountSid: SID, authToken, apiUrl: 'http://127.0.0.1:9' });
}

function request(
  url: string,
  params: Record<string, string>,
  signature?: string | string[],
): WebhookRequest {
  const headers: WebhookRequest['headers'] =
    signature === undefined ? {} : { 'x-twilio-signature': signature };
  return {
    url,
    method: 'POST',
    headers,
    rawBody: new URLSearchParams(params).toString(),
    params,
    json: null,
    query: new URLSearchParams(),
  };
}

describe('TwilioProvider.verify', () => {
  // Twilio's documented test vector (docs "Validating requests"), checked in context.md.
  const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const PARAMS = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  };
  const SIGNATURE = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';
  const twilio = provider('12345');

  it('accepts the official test vector', () => {
    assert.equal(twilio.verify(request(URL, PARAMS, SIGNATURE)), true);
  });

  it('matches the official package on the test vector', () => {
    assert.equal(webhooks.getExpectedTwilioSignature('12345', URL, PARAMS), SIGNATURE);
  });

  const refused: [label: string, req: WebhookRequest][] = [
    ['a tampered parameter', request(URL, { ...PARAMS, Digits: '1235' }, SIGNATURE)],
    ['an added parameter', request(URL, { ...PARAMS, Body: '' }, SIGNATURE)],
    [
      'a removed parameter',
      request(URL, { CallSid: PARAMS.CallSid, From: PARAMS.From, To: PARAMS.To }, SIGNATURE),
    ],
    [
      'another query string',
      request('https://mycompany.com/myapp.php?foo=1&bar=3', PARAMS, SIGNATURE),
    ],
    ['another host', request('https://evil.example/myapp.php?foo=1&bar=2', PARAMS, SIGNATURE)],
    [
      'http instead of https',
      request('http://mycompany.com/myapp.php?foo=1&bar=2', PARAMS, SIGNATURE),
    ],
    ['a missing header', request(URL, PARAMS)],
    ['an empty header', request(URL, PARAMS, '')],
    ['a repeated header', request(URL, PARAMS, [SIGNATURE, SIGNATURE])],
    ['a wrong signature', request(URL, PARAMS, SIGNATURE.replace('0/', '1/'))],
  ];
  for (const [label, req] of refused) {
    it(`refuses ${label}`, () => {
      assert.equal(twilio.verify(req), false);
    });
  }

  it('refuses a signature made with another token', () => {
    assert.equal(provider('54321').verify(request(URL, PARAMS, SIGNATURE)), false);
  });

  describe('against the official package, random requests', () => {
    const token = fc.stringMatching(/^[0-9a-f]{32}$/);
    const params = fc.dictionary(
      fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,15}$/),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      {
        minKeys: 1,
        maxKeys: 12,
      },
    );
    const url = fc.constantFrom(
      'https://hotline.example.org/webhooks/twilio/voice',
      'https://hotline.example.org/webhooks/twilio/status?key=7b0c2a52-3f1e-4d2a-9c41-0e5d6f7a8b9c',
      'https://hotline.example.org:8443/webhooks/twilio/sms',
    );

    it('accepts what getExpectedTwilioSignature signs', () => {
      fc.assert(
        fc.property(token, url, params, (t, u, p) => {
          assert.equal(
            provider(t).verify(request(u, p, webhooks.getExpectedTwilioSignature(t, u, p))),
            true,
          );
        }),
        { numRuns: 200 },
      );
    });

    it('accepts exactly what validateRequest accepts, whichever spelling of the URL was signed', () => {
      // The URL Twilio called is checked first; the official check's other spellings still pass.
      const spelling = fc.constantFrom(
        (u: string) => u,
        (u: string) => u.replace('.org/', '.org:443/'),
        (u: string) => u.replace(':8443', ''),
        (u: string) => u.replace('https:', 'http:'),
        (u: string) => u.replace('key=', 'key%3D'),
      );
      fc.assert(
        fc.property(token, url, params, spelling, (t, u, p, spell) => {
          const signature = webhooks.getExpectedTwilioSignature(t, spell(u), p);
          assert.equal(
            provider(t).verify(request(u, p, signature)),
            webhooks.validateRequest(t, signature, u, p),
          );
        }),
        { numRuns: 300 },
      );
    });

    it('refuses it once any value is changed', () => {
      fc.assert(
        fc.property(token, url, params, fc.nat(), (t, u, p, pick) => {
          const signature = webhooks.getExpectedTwilioSignature(t, u, p);
          const keys = Object.keys(p);
          const key = keys[pick % keys.length]!;
          assert.equal(
            provider(t).verify(request(u, { ...p, [key]: `${p[key]}x` }, signature)),
            false,
          );
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe('TwilioProvider.renderVoice', () => {
  const twilio = provider('token');
  const say = (text: string, speechVoice = 'Polly.Lea'): VoiceAnswer => ({
    kind: 'say',
    text,
    language: 'fr',
    speechLanguage: 'fr-FR',
    speechVoice,
  });

  it('says the text with language and voice, then hangs up', () => {
    const rendered = twilio.renderVoice(say('Bonjour.'));
    assert.equal(rendered.contentType, 'text/xml; charset=utf-8');
    assert.equal(
      rendered.body,
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-FR" voice="Polly.Lea">Bonjour.</Say><Hangup/></Response>',
    );
  });

  it('plays a recording, then hangs up', () => {
    assert.equal(
      twilio.renderVoice({ kind: 'play', url: 'https://cdn.example.org/a.mp3?v=1&l=fr' }).body,
      '<?xml version="1.0" encoding="UTF-8"?><Response><Play>https://cdn.example.org/a.mp3?v=1&amp;l=fr</Play><Hangup/></Response>',
    );
  });

  it('rejects with <Reject/> as the first and only verb (an unanswered call is not billed)', () => {
    const body = twilio.renderVoice({ kind: 'reject' }).body;
    assert.match(body, /<Response><Reject\/><\/Response>$/);
    assert.ok(!body.includes('Hangup'));
    assert.ok(!body.includes('Say'));
  });

  it('escapes text so it never breaks out of <Say>', () => {
    const text = 'a < b & c " d ]]> e <Reject/> f';
    const body = twilio.renderVoice(say(text)).body;
    const match =
      /<Say language="fr-FR" voice="Polly\.Lea">([^<]*)<\/Say><Hangup\/><\/Response>$/.exec(body);
    assert.ok(match, body);
    const inner = match[1]!;
    assert.ok(!inner.includes(']]>'));
    assert.ok(!inner.includes('>'));
    assert.doesNotMatch(inner, /&(?!(?:lt|gt|amp|quot|apos);)/);
    const decoded = inner.replace(
      /&(lt|gt|quot|apos|amp);/g,
      (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!,
    );
    assert.equal(decoded, text);
  });

  it('escapes attribute values', () => {
    const body = twilio.renderVoice(say('x', 'Polly.Lea" bargeIn="true')).body;
    assert.ok(body.includes('voice="Polly.Lea&quot; bargeIn=&quot;true"'), body);
  });

  it('never writes a character XML 1.0 forbids, whatever text it is given', () => {
    // The builder throws on these; a stored text holding one made every call a 500.
    const bad = 'Bon\u0000jour\u0007 \u001b[0m\uD83D \uDE00\uFFFE\u0085 fin';
    const body = twilio.renderVoice(say(bad)).body;
    assert.doesNotMatch(body, /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u);
    assert.ok(
      body.includes('<Say language="fr-FR" voice="Polly.Lea">Bonjour [0m  fin</Say>'),
      body,
    );
    const play = twilio.renderVoice({ kind: 'play', url: 'https://x.example/\u0001a.mp3' }).body;
    assert.match(play, /<Play>https:\/\/x\.example\/a\.mp3<\/Play>/);
  });

  it('says the default message of the language when nothing speakable is left', () => {
    const body = twilio.renderVoice(say('\u0001\u001b ')).body;
    assert.ok(body.includes(`>${DEFAULT_TEXTS.fr.voice}</Say>`), body);
  });

  it('writes well-formed TwiML for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const body = twilio.renderVoice(say(text)).body;
        assert.doesNotMatch(body, /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u);
        assert.match(body, /<Say [^>]*>[^<]+<\/Say><Hangup\/><\/Response>$/);
      }),
    );
  });
});

describe('TwilioProvider parsing', () => {
  const twilio = provider('token');
  const query = new URLSearchParams('key=7b0c2a52-3f1e-4d2a-9c41-0e5d6f7a8b9c');

  it('parses a call', () => {
    assert.deepEqual(
      twilio.parseCall({ CallSid: 'CA1', From: '+33612345678', To: '+33939000000' }),
      {
        kind: 'call',
        from: '+33612345678',
        to: '+33939000000',
        providerSid: 'CA1',
        body: null,
      },
    );
  });

  it('parses a call from a withheld number as an empty caller id', () => {
    assert.equal(twilio.parseCall({ CallSid: 'CA1', To: '+33939000000' }).from, '');
  });

  it('parses a text, with SmsSid as a fallback', () => {
    assert.deepEqual(
      twilio.parseText({
        MessageSid: 'SM1',
        From: '+33612345678',
        To: '+33939000000',
        Body: 'Salut',
      }),
      {
        kind: 'text',
        from: '+33612345678',
        to: '+33939000000',
        providerSid: 'SM1',
        body: 'Salut',
      },
    );
    assert.equal(twilio.parseText({ SmsSid: 'SM2', To: '+33939000000' }).providerSid, 'SM2');
    assert.equal(twilio.parseText({ SmsSid: 'SM2', To: '+33939000000' }).body, '');
  });

  it('parses a status callback', () => {
    assert.deepEqual(
      twilio.parseStatus(
        {
          MessageSid: 'SM1',
          MessageStatus: 'undelivered',
          ErrorCode: '30003',
          Price: '-0.07600',
          PriceUnit: 'usd',
        },
        query,
      ),
      {
        sid: 'SM1',
        status: 'undelivered',
        errorCode: '30003',
        priceMicros: 76_000,
        priceCurrency: 'USD',
        idempotencyKey: '7b0c2a52-3f1e-4d2a-9c41-0e5d6f7a8b9c',
      },
    );
    assert.deepEqual(
      twilio.parseStatus(
        { SmsSid: 'SM1', SmsStatus: 'sent', ErrorCode: '' },
        new URLSearchParams(),
      ),
      {
        sid: 'SM1',
        status: 'sent',
        errorCode: null,
        priceMicros: null,
        priceCurrency: null,
        idempotencyKey: null,
      },
    );
  });

  it('ignores a call’s progress sent to the status address by the number’s status callback', () => {
    assert.equal(
      twilio.parseStatus(
        { CallSid: 'CA1', CallStatus: 'completed', From: '+33612345678', To: '+33939000000' },
        new URLSearchParams(),
      ),
      null,
    );
  });

  const missing: [label: string, parse: () => unknown][] = [
    ['call without To', () => twilio.parseCall({ CallSid: 'CA1', From: '+33612345678' })],
    ['call without CallSid', () => twilio.parseCall({ From: '+33612345678', To: '+33939000000' })],
    ['call with an empty CallSid', () => twilio.parseCall({ CallSid: '', To: '+33939000000' })],
    ['text without To', () => twilio.parseText({ MessageSid: 'SM1' })],
    [
      'text without MessageSid',
      () => twilio.parseText({ From: '+33612345678', To: '+33939000000' }),
    ],
    ['status without sid', () => twilio.parseStatus({ MessageStatus: 'sent' }, query)],
    ['status without status', () => twilio.parseStatus({ MessageSid: 'SM1' }, query)],
    ['empty status callback', () => twilio.parseStatus({}, query)],
  ];
  for (const [label, parse] of missing) {
    it(`throws InvalidInputError: ${label}`, () => {
      assert.throws(parse, InvalidInputError);
    });
  }
});

describe('parsePrice', () => {
  const cases: [price: string | null | undefined, micros: number | null][] = [
    ['-0.07600', 76_000],
    ['-0.16', 160_000],
    ['0.0075', 7_500],
    ['-1.5', 1_500_000],
    ['0', 0],
    [null, null],
    [undefined, null],
    ['', null],
    ['n/a', null],
  ];
  for (const [price, micros] of cases) {
    it(`${JSON.stringify(price)} → ${micros}`, () => {
      assert.equal(parsePrice(price), micros);
    });
  }
});
