import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import type { WebhookRequest } from '../provider.ts';
import { VonageProvider } from './vonage.ts';

const SECRET = 'a-long-enough-signature-secret';
const APP = 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab';
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const vonage = new VonageProvider({
  application: { id: APP, privateKey },
  account: { apiKey: 'a1b2c3d4', apiSecret: 's' },
  signatureSecret: SECRET,
  apiUrl: 'http://127.0.0.1:9',
});

const QUERY = { to: '33939000000', from: '33612345678', uuid: 'u-1', conversation_uuid: 'CON-1' };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function answer(claims: Record<string, unknown>, secret = SECRET): WebhookRequest {
  const token = jwt.sign({ iat: Math.floor(Date.now() / 1000), ...claims }, secret, {
    algorithm: 'HS256',
  });
  const query = new URLSearchParams(QUERY);
  return {
    url: `https://hotline.example.org/webhooks/vonage/answer?${query.toString()}`,
    method: 'GET',
    headers: { authorization: `Bearer ${token}` },
    rawBody: '',
    params: { ...QUERY },
    json: null,
    query,
  };
}

describe('VonageProvider.verify', () => {
  const hash = sha(JSON.stringify(QUERY));

  it('takes a GET answer URL whose token names its query', () => {
    assert.equal(vonage.verify(answer({ payload_hash: hash, api_key: 'a1b2c3d4' })), true);
  });

  it('refuses a token that names no payload, or another query', () => {
    assert.equal(vonage.verify(answer({})), false);
    assert.equal(vonage.verify(answer({ payload_hash: sha('{}') })), false);
  });

  it('refuses a token of another application or account, or signed with another secret', () => {
    assert.equal(
      vonage.verify(
        answer({ payload_hash: hash, application_id: 'bbbbbbbb-bbbb-4ccc-8ddd-0123456789ab' }),
      ),
      false,
    );
    assert.equal(vonage.verify(answer({ payload_hash: hash, api_key: 'zzzz9999' })), false);
    assert.equal(
      vonage.verify(answer({ payload_hash: hash }, 'another-signature-secret-00')),
      false,
    );
  });

  it('refuses a token older than five minutes, or one that expired', () => {
    const old = Math.floor(Date.now() / 1000) - 301;
    assert.equal(vonage.verify(answer({ payload_hash: hash, iat: old })), false);
    assert.equal(vonage.verify(answer({ payload_hash: hash, exp: old })), false);
  });
});
