import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../domain/errors.ts';
import { loadConfig } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'nonmerci-providers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const keyFile = join(dir, 'private.key');
writeFileSync(keyFile, privateKey);

const TWILIO = {
  TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
  TWILIO_AUTH_TOKEN: 'twilio-token',
};
const TELNYX = {
  TELNYX_API_KEY: 'KEY0123456789ABCDEF_abc',
  TELNYX_PUBLIC_KEY: Buffer.alloc(32, 9).toString('base64'),
};
const VONAGE_APP = {
  VONAGE_APPLICATION_ID: 'AAAAAAAA-bbbb-4ccc-8ddd-0123456789ab',
  VONAGE_PRIVATE_KEY: keyFile,
  VONAGE_SIGNATURE_SECRET: 'a-long-enough-signature-secret',
};
const VONAGE_ACCOUNT = {
  VONAGE_API_KEY: 'a1b2c3d4',
  VONAGE_API_SECRET: 'vonage-secret',
  VONAGE_SIGNATURE_SECRET: 'a-long-enough-signature-secret',
};

const load = (values: Record<string, string>) =>
  loadConfig({ NONMERCI_DATA_DIR: dir, NONMERCI_SECRET: 'x'.repeat(40), ...values });

/** The messages of a refused configuration, one per setting to fix. */
function refused(values: Record<string, string>): string {
  try {
    load(values);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('the configuration was accepted');
}

describe('choosing the provider', () => {
  it('runs on the simulator when no credentials are set', () => {
    const config = load({});
    assert.equal(config.hotline.provider, 'simulator');
    assert.deepEqual([config.twilio, config.telnyx, config.vonage], [null, null, null]);
  });

  it('infers the provider from the one set of credentials given', () => {
    assert.equal(load(TWILIO).hotline.provider, 'twilio');
    assert.equal(load(TELNYX).hotline.provider, 'telnyx');
    assert.equal(load(VONAGE_APP).hotline.provider, 'vonage');
    assert.equal(load(VONAGE_ACCOUNT).hotline.provider, 'vonage');
  });

  it('reads Telnyx and Vonage settings, the private key from its file or as text', () => {
    const telnyx = load({ ...TELNYX, TELNYX_API_URL: 'http://127.0.0.1:9/' }).telnyx;
    assert.deepEqual(telnyx, {
      apiKey: TELNYX.TELNYX_API_KEY,
      publicKey: TELNYX.TELNYX_PUBLIC_KEY,
      apiUrl: 'http://127.0.0.1:9',
    });
    const fromFile = load(VONAGE_APP).vonage!;
    assert.equal(fromFile.application?.id, 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab');
    assert.equal(fromFile.application?.privateKey, privateKey.trim());
    assert.equal(fromFile.account, null);
    assert.equal(fromFile.apiUrl, 'https://api.nexmo.com');
    // As pasted into a .env file, on one line with \n for the line breaks.
    const inline = load({
      ...VONAGE_APP,
      VONAGE_PRIVATE_KEY: privateKey.trim().replaceAll('\n', '\\n'),
    });
    assert.equal(inline.vonage!.application?.privateKey, privateKey.trim());
    const both = load({ ...VONAGE_APP, ...VONAGE_ACCOUNT }).vonage!;
    assert.ok(
      both.application && both.account,
      'the application sends; the account key sets webhooks',
    );
  });

  it('refuses two sets of credentials without HOTLINE_PROVIDER, and names both', () => {
    const message = refused({ ...TWILIO, ...TELNYX });
    assert.match(message, /HOTLINE_PROVIDER/);
    assert.match(message, /Twilio and Telnyx/);
  });

  it('takes HOTLINE_PROVIDER among several sets, and keeps every configured provider', () => {
    const config = load({ ...TWILIO, ...TELNYX, ...VONAGE_APP, HOTLINE_PROVIDER: 'Vonage' });
    assert.equal(config.hotline.provider, 'vonage');
    assert.ok(config.twilio && config.telnyx && config.vonage);
    assert.equal(load({ ...TWILIO, HOTLINE_PROVIDER: 'simulator' }).hotline.provider, 'simulator');
  });

  it('refuses HOTLINE_PROVIDER without its credentials, or an unknown one', () => {
    assert.match(
      refused({ HOTLINE_PROVIDER: 'telnyx' }),
      /HOTLINE_PROVIDER: .*TELNYX_API_KEY \+ TELNYX_PUBLIC_KEY/,
    );
    assert.match(refused({ HOTLINE_PROVIDER: 'orange' }), /twilio, telnyx, vonage, simulator/);
  });

  it('names the missing half of a set of credentials', () => {
    assert.match(refused({ TELNYX_API_KEY: TELNYX.TELNYX_API_KEY }), /TELNYX_PUBLIC_KEY/);
    assert.match(refused({ TWILIO_AUTH_TOKEN: 'x' }), /TWILIO_ACCOUNT_SID/);
    const vonage = refused({ VONAGE_APPLICATION_ID: VONAGE_APP.VONAGE_APPLICATION_ID });
    assert.match(vonage, /VONAGE_PRIVATE_KEY/);
    assert.match(vonage, /VONAGE_SIGNATURE_SECRET/);
    assert.match(
      refused({ VONAGE_API_KEY: 'a1b2c3d4', VONAGE_API_SECRET: 's' }),
      /VONAGE_SIGNATURE_SECRET/,
    );
  });

  it('says what to write for malformed credentials', () => {
    assert.match(refused({ ...TELNYX, TELNYX_PUBLIC_KEY: 'not-base64' }), /44 base64 characters/);
    assert.match(refused({ ...TELNYX, TELNYX_API_KEY: 'secret' }), /starts with "KEY"/);
    assert.match(
      refused({ ...VONAGE_APP, VONAGE_PRIVATE_KEY: join(dir, 'missing.key') }),
      /neither a private key's text nor the path of a readable file/,
    );
    assert.match(
      refused({
        ...VONAGE_APP,
        VONAGE_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----',
      }),
      /not an RSA private key/,
    );
    assert.match(refused({ ...VONAGE_APP, VONAGE_APPLICATION_ID: 'my-app' }), /UUID/);
  });

  it('never shows a secret in its messages, a mangled private key included', () => {
    const quoted = `"${privateKey.trim().slice(0, -20)}"`;
    const keyMessage = refused({ ...VONAGE_APP, VONAGE_PRIVATE_KEY: quoted });
    assert.ok(!keyMessage.includes(privateKey.split('\n')[1]!), keyMessage);
    assert.doesNotMatch(keyMessage, /MII/);
    assert.equal(
      load({ ...VONAGE_APP, VONAGE_PRIVATE_KEY: `"${privateKey.trim()}"` }).vonage!.application
        ?.privateKey,
      privateKey.trim(),
      'a quoted key (docker --env-file) is read without its quotes',
    );
    const message = refused({
      ...TELNYX,
      TELNYX_PUBLIC_KEY: 'short',
      TWILIO_AUTH_TOKEN: 'tok-very-secret',
    });
    assert.doesNotMatch(message, /KEY0123456789ABCDEF_abc|tok-very-secret/);
  });
});
