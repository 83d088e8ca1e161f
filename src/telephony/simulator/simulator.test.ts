import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../domain/errors.ts';
import { deriveKey } from '../../privacy/number-vault.ts';
import type { VoiceAnswer, WebhookRequest } from '../provider.ts';
import {
  SIMULATOR_SIGNATURE_HEADER,
  SimulatorProvider,
  simulatorSignature,
  type SimOutbox,
} from './simulator.ts';

const KEY = deriveKey('a-test-secret-that-is-long-enough-for-nonmerci', 'simulator-webhooks');
const OTHER_KEY = deriveKey('another-test-secret-that-is-long-enough-too', 'simulator-webhooks');
const BODY = 'Sid=SIMCA1&From=%2B33639980012&To=%2B33939000000';

/** verify, parse and render never touch the outbox. */
const unusedOutbox: SimOutbox = {
  deliver: () => Promise.reject(new Error('not expected')),
  findByKey: () => Promise.reject(new Error('not expected')),
};

const simulator = new SimulatorProvider({
  signingKey: KEY,
  outbox: unusedOutbox,
  segmentPriceMicros: 160_000,
  countSegments: () => 1,
  now: () => Date.UTC(2026, 10, 1, 16, 0, 0),
});

const SMS_PATH = '/webhooks/simulator/sms';

function request(
  rawBody: string,
  signature?: string | string[],
  url = `http://127.0.0.1:3000${SMS_PATH}`,
): WebhookRequest {
  const headers: WebhookRequest['headers'] =
    signature === undefined ? {} : { [SIMULATOR_SIGNATURE_HEADER]: signature };
  return {
    url,
    headers,
    method: 'POST',
    rawBody,
    params: Object.fromEntries(new URLSearchParams(rawBody)),
    json: null,
    query: new URLSearchParams(),
  };
}

describe('simulatorSignature', () => {
  it('is the hex HMAC-SHA256 of the endpoint and the raw body', () => {
    const signature = simulatorSignature(KEY, SMS_PATH, BODY);
    assert.match(signature, /^[0-9a-f]{64}$/);
    assert.equal(simulatorSignature(KEY, SMS_PATH, BODY), signature);
    assert.notEqual(simulatorSignature(KEY, SMS_PATH, `${BODY}&x=1`), signature);
    assert.notEqual(simulatorSignature(KEY, '/webhooks/simulator/voice', BODY), signature);
    assert.notEqual(simulatorSignature(OTHER_KEY, SMS_PATH, BODY), signature);
  });
});

describe('SimulatorProvider.verify', () => {
  const good = simulatorSignature(KEY, SMS_PATH, BODY);

  it('accepts a good signature', () => {
    assert.equal(simulator.verify(request(BODY, good)), true);
  });

  it('accepts it whatever host the request reached (local address or PUBLIC_URL)', () => {
    assert.equal(
      simulator.verify(request(BODY, good, `https://hotline.example.org${SMS_PATH}`)),
      true,
    );
  });

  it('refuses a signature made for another endpoint (a text replayed as a call or a status)', () => {
    for (const other of ['voice', 'status'])
      assert.equal(
        simulator.verify(request(BODY, good, `http://127.0.0.1:3000/webhooks/simulator/${other}`)),
        false,
        other,
      );
    assert.equal(
      simulator.verify(request(BODY, good, `http://127.0.0.1:3000${SMS_PATH}?x=1`)),
      false,
    );
  });

  const refused: [label: string, req: WebhookRequest][] = [
    ['a missing header', request(BODY)],
    ['an empty header', request(BODY, '')],
    ['a repeated header', request(BODY, [good, good])],
    ['a signature of another body', request(`${BODY}&Body=hi`, good)],
    [
      'a signature made with another key',
      request(BODY, simulatorSignature(OTHER_KEY, SMS_PATH, BODY)),
    ],
    ['a one-digit change', request(BODY, `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`)],
    ['non-hex characters', request(BODY, `${good.slice(0, -1)}g`)],
    ['upper-case hex', request(BODY, good.toUpperCase())],
    ['a truncated signature', request(BODY, good.slice(0, 62))],
    ['a too long signature', request(BODY, `${good}00`)],
    ['base64 instead of hex', request(BODY, Buffer.from(good, 'hex').toString('base64'))],
  ];
  for (const [label, req] of refused) {
    it(`refuses ${label}`, () => {
      assert.equal(simulator.verify(req), false);
    });
  }
});

describe('SimulatorProvider.renderVoice', () => {
  const answers: VoiceAnswer[] = [
    {
      kind: 'say',
      text: 'Bonjour <b> & "au revoir"',
      language: 'fr',
      speechLanguage: 'fr-FR',
      speechVoice: 'Polly.Lea',
    },
    { kind: 'play', url: 'https://cdn.example.org/a.mp3' },
    { kind: 'reject' },
  ];
  for (const answer of answers) {
    it(`renders ${answer.kind} as JSON`, () => {
      const rendered = simulator.renderVoice(answer);
      assert.equal(rendered.contentType, 'application/json; charset=utf-8');
      assert.deepEqual(JSON.parse(rendered.body), answer);
    });
  }

  it('removes control characters from a stored text, which `nonmerci call` prints to a terminal', () => {
    const rendered = simulator.renderVoice({
      kind: 'say',
      text: 'Bonjour\u001b]0;pwned\u0007 \u001b[2J\uD83D.',
      language: 'fr',
      speechLanguage: 'fr-FR',
      speechVoice: 'Polly.Lea',
    });
    assert.equal((JSON.parse(rendered.body) as { text: string }).text, 'Bonjour]0;pwned [2J.');
  });

  it('acknowledges texts in JSON', () => {
    assert.deepEqual(JSON.parse(simulator.renderTextAck().body), { received: true });
  });
});

describe('SimulatorProvider parsing', () => {
  it('parses a call and a text', () => {
    assert.deepEqual(
      simulator.parseCall({ Sid: 'SIMCA1', From: '+33639980012', To: '+33939000000' }),
      {
        kind: 'call',
        from: '+33639980012',
        to: '+33939000000',
        providerSid: 'SIMCA1',
        body: null,
      },
    );
    assert.equal(simulator.parseText({ Sid: 'SIMSM1', To: '+33939000000', Body: 'hi' }).body, 'hi');
  });

  const missing: [label: string, parse: () => unknown][] = [
    ['call without Sid', () => simulator.parseCall({ To: '+33939000000' })],
    ['call without To', () => simulator.parseCall({ Sid: 'SIMCA1' })],
    ['text without Sid', () => simulator.parseText({ To: '+33939000000' })],
    ['status without Status', () => simulator.parseStatus({ Sid: 'SIM1' }, new URLSearchParams())],
  ];
  for (const [label, parse] of missing) {
    it(`throws InvalidInputError: ${label}`, () => {
      assert.throws(parse, InvalidInputError);
    });
  }
});
