import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runConnect } from '../src/cli/connect.ts';
import { NonmerciError } from '../src/domain/errors.ts';
import { VonageAccount, vonageHosts } from '../src/telephony/vonage/account.ts';
import {
  assertNoSecret,
  assertRefused,
  folder,
  nonmerci,
  operator,
  removeFolders,
  report,
} from './support/connect-run.ts';
import {
  FakeVonageAccount,
  OTHER_APP,
  VONAGE_APP,
  VONAGE_KEY,
  VONAGE_SECRET,
  VONAGE_PRIVATE_KEY_FILE,
  VONAGE_SIGNATURE,
} from './support/fake-vonage-account.ts';

/**
 * `nonmerci connect vonage`, the real command against a fake of Vonage's Numbers and Application
 * APIs on loopback: the application's webhooks merged into what it held, the number linked to it,
 * .env written; and, with only the application's key, the addresses to paste.
 */
const fake = new FakeVonageAccount();
before(() => fake.start());
after(async () => {
  await fake.stop();
  removeFolders();
});
beforeEach(() => fake.seed());

const PUBLIC_URL = 'https://hotline.example.org';
const hook = (name: string) => ({
  address: `${PUBLIC_URL}/webhooks/vonage/${name}`,
  http_method: 'POST',
});
const ENV_FILE = `PUBLIC_URL=${PUBLIC_URL}\n`;
const credentials = () => ({
  VONAGE_API_KEY: VONAGE_KEY,
  VONAGE_API_SECRET: VONAGE_SECRET,
  VONAGE_APPLICATION_ID: VONAGE_APP,
  VONAGE_PRIVATE_KEY: VONAGE_PRIVATE_KEY_FILE,
  VONAGE_SIGNATURE_SECRET: VONAGE_SIGNATURE,
  VONAGE_API_URL: fake.url,
});

describe('nonmerci connect vonage', () => {
  it("sets the application's webhooks, keeping the rest of it, links the number and writes .env", async () => {
    const dir = folder(ENV_FILE);
    const o = await nonmerci(
      ['connect', 'vonage', '--number', '09 39 00 00 00'],
      credentials(),
      dir,
    );
    assert.equal(o.code, 0, report(o));
    const [put, link, ...more] = fake.changes;
    assert.deepEqual(more, []);
    assert.equal(put?.method, 'PUT');
    assert.equal(put.path, `/v2/applications/${VONAGE_APP}`);
    assert.equal(
      put.authorization,
      `Basic ${Buffer.from(`${VONAGE_KEY}:${VONAGE_SECRET}`).toString('base64')}`,
    );
    const stored = fake.apps.get(VONAGE_APP)!;
    assert.deepEqual(stored.capabilities, {
      voice: {
        webhooks: {
          answer_url: hook('answer'),
          // What nonmerci does not set is kept: PUT replaces the whole application.
          fallback_answer_url: { address: 'https://example.com/fallback', http_method: 'GET' },
          event_url: hook('event'),
        },
      },
      rtc: { webhooks: { event_url: { address: 'https://example.com/rtc', http_method: 'POST' } } },
      messages: {
        webhooks: { inbound_url: hook('inbound'), status_url: hook('status') },
        version: 'v1',
      },
    });
    assert.equal(stored.name, 'hotline');
    assert.deepEqual(stored.privacy, { improve_ai: false });
    assert.equal(link?.method, 'POST');
    assert.equal(link.path, '/number/update');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(link.body)), {
      country: 'FR',
      msisdn: '33939000000',
      app_id: VONAGE_APP,
      api_key: VONAGE_KEY,
      api_secret: VONAGE_SECRET,
    });
    assert.equal(fake.number('33939000000')!.appId, VONAGE_APP);
    assert.equal(
      readFileSync(join(dir, '.env'), 'utf8'),
      `PUBLIC_URL=${PUBLIC_URL}\nVONAGE_API_KEY=${VONAGE_KEY}\nVONAGE_API_SECRET=${VONAGE_SECRET}\nVONAGE_APPLICATION_ID=${VONAGE_APP}\nVONAGE_PRIVATE_KEY=${VONAGE_PRIVATE_KEY_FILE}\nVONAGE_SIGNATURE_SECRET=${VONAGE_SIGNATURE}\nHOTLINE_NUMBER=+33939000000\nHOTLINE_PROVIDER=vonage\n`,
    );
    assert.match(
      o.stdout,
      /Voice › Answer URL: +https:\/\/example\.com\/answer \(GET\) → https:\/\/hotline\.example\.org\/webhooks\/vonage\/answer/,
    );
    assert.match(o.stdout, /number linked to: +\(no application\) → "hotline"/);
    assert.match(o.stderr, /"hotline" is also linked to \+33939000002/);
    assertNoSecret(o, VONAGE_SECRET, VONAGE_SIGNATURE);
  });

  it('does not link a number already linked to the application', async () => {
    const o = await nonmerci(
      ['connect', 'vonage', '--number', '+33939000002'],
      credentials(),
      folder(ENV_FILE),
    );
    assert.equal(o.code, 0, report(o));
    assert.deepEqual(
      fake.changes.map((r) => r.method),
      ['PUT'],
    );
    assert.match(o.stdout, /number linked to: +"hotline" \(unchanged\)/);
  });

  it('--dry-run changes nothing at Vonage or in .env, and masks the secrets', async () => {
    const dir = folder(ENV_FILE);
    const o = await nonmerci(
      ['connect', 'vonage', '--number', '+33939000000', '--dry-run'],
      credentials(),
      dir,
    );
    assert.equal(o.code, 0, report(o));
    assert.deepEqual(fake.changes, []);
    assert.equal(readFileSync(join(dir, '.env'), 'utf8'), ENV_FILE);
    assert.match(o.stdout, /VONAGE_API_SECRET=•+0123 \(added at the end\)/);
    assertNoSecret(o, VONAGE_SECRET, VONAGE_SIGNATURE);
  });

  it('refuses a number without SMS, and a wrong secret, before changing anything', async () => {
    const dir = folder(ENV_FILE);
    const voiceOnly = await nonmerci(
      ['connect', 'vonage', '--number', '+33939000001'],
      credentials(),
      dir,
    );
    assertRefused(voiceOnly, 1, /\+33939000001 cannot send or receive texts.*Vonage dashboard/);
    const wrong = 'not-the-vonage-secret-42';
    const refused = await nonmerci(
      ['connect', 'vonage', '--number', '+33939000000'],
      { ...credentials(), VONAGE_API_SECRET: wrong },
      dir,
    );
    assertRefused(
      refused,
      1,
      /Vonage refused this API key and secret: check VONAGE_API_KEY \/ VONAGE_API_SECRET/,
    );
    assertNoSecret(refused, wrong);
    assert.deepEqual(fake.changes, []);
    assert.equal(readFileSync(join(dir, '.env'), 'utf8'), ENV_FILE);
  });

  it('says when VONAGE_APPLICATION_ID is not an application of the account', async () => {
    const o = await nonmerci(
      ['connect', 'vonage', '--number', '+33939000000'],
      { ...credentials(), VONAGE_APPLICATION_ID: 'bbbbbbbb-bbbb-4ccc-8ddd-0123456789ab' },
      folder(ENV_FILE),
    );
    assertRefused(o, 1, /application bbbbbbbb-.* is not one of this account's.*"Applications"/);
    assert.deepEqual(fake.changes, []);
  });

  it('with only the application key, prints the addresses to paste and exits with code 2', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dir = folder(ENV_FILE);
    const o = await nonmerci(
      ['connect', 'vonage', '--number', '+33939000000'],
      {
        VONAGE_APPLICATION_ID: VONAGE_APP,
        VONAGE_PRIVATE_KEY: pem,
        VONAGE_SIGNATURE_SECRET: VONAGE_SIGNATURE,
        VONAGE_API_URL: fake.url,
      },
      dir,
    );
    assert.equal(o.code, 2, report(o));
    assert.match(
      o.stderr,
      /needs the account's API key and secret.*set VONAGE_API_KEY and VONAGE_API_SECRET/,
    );
    assert.match(o.stderr, new RegExp(`"Applications" › the application ${VONAGE_APP} › "Edit"`));
    for (const [field, name] of [
      ['Voice › Answer URL', 'answer'],
      ['Voice › Event URL', 'event'],
      ['Messages › Inbound URL', 'inbound'],
      ['Messages › Status URL', 'status'],
    ])
      assert.match(
        o.stderr,
        new RegExp(`${field} +${PUBLIC_URL}/webhooks/vonage/${name}  \\(HTTP POST\\)`),
      );
    assert.deepEqual(fake.requests, []);
    assert.equal(readFileSync(join(dir, '.env'), 'utf8'), ENV_FILE);
    assertNoSecret(o, pem.split('\n')[1]!, VONAGE_SIGNATURE);
  });

  it('asks in a terminal for what is missing, the secrets without echo', async () => {
    const dir = folder(null);
    const t = operator(
      [VONAGE_KEY, VONAGE_SECRET, VONAGE_APP, VONAGE_PRIVATE_KEY_FILE, VONAGE_SIGNATURE, '1'],
      { PUBLIC_URL, VONAGE_API_URL: fake.url },
      dir,
    );
    const code = await runConnect('vonage', { number: null, publicUrl: null, dryRun: false }, t.io);
    assert.equal(code, 0, t.out.join('\n'));
    assert.deepEqual(
      t.asked.map((a) => a.secret),
      [false, true, false, false, true, false],
    );
    assert.equal(fake.number('33939000000')!.appId, VONAGE_APP);
    const printed = t.out.join('\n');
    assert.ok(!printed.includes(VONAGE_SECRET) && !printed.includes(VONAGE_SIGNATURE), printed);
    const env = readFileSync(join(dir, '.env'), 'utf8');
    assert.match(env, /^HOTLINE_PROVIDER=vonage$/m);
    // The key's path, not its text: the .env file stays one setting per line.
    assert.ok(env.includes(`\nVONAGE_PRIVATE_KEY=${VONAGE_PRIVATE_KEY_FILE}\n`), env);
    assert.ok(!env.includes('BEGIN PRIVATE KEY'), env);
  });
});

describe('VonageAccount', () => {
  const account = (apiSecret = VONAGE_SECRET) =>
    new VonageAccount({ apiKey: VONAGE_KEY, apiSecret, apiUrl: fake.url });

  it('asks rest.nexmo.com for numbers at Vonage, and a test double for everything', () => {
    assert.deepEqual(vonageHosts('https://api.nexmo.com'), {
      numbers: 'https://rest.nexmo.com',
      applications: 'https://api.nexmo.com',
    });
    assert.deepEqual(
      vonageHosts('https://api-eu.vonage.com'),
      vonageHosts('https://api.nexmo.com'),
    );
    assert.deepEqual(vonageHosts('http://127.0.0.1:9'), {
      numbers: 'http://127.0.0.1:9',
      applications: 'http://127.0.0.1:9',
    });
  });

  it('pages through the numbers and reads their features', async () => {
    fake.pageSize = 2;
    try {
      const numbers = await account().numbers();
      assert.deepEqual(
        numbers.map((n) => [n.phoneNumber, n.voice, n.sms, n.appId]),
        [
          ['+33939000000', true, true, null],
          ['+33939000001', true, false, null],
          ['+33939000002', true, true, VONAGE_APP],
        ],
      );
      fake.numbers.length = 0;
      assert.deepEqual(await account().numbers(), []);
    } finally {
      fake.pageSize = 100;
    }
  });

  it('reports a refused link, and never puts the secret in a message', async () => {
    const [number] = await account().numbers();
    await assert.rejects(
      account().link(number!, 'cccccccc-bbbb-4ccc-8ddd-0123456789ab'),
      /did not link \+33939000000/,
    );
    await account().link(number!, OTHER_APP);
    assert.equal(fake.number('33939000000')!.appId, OTHER_APP);
    await assert.rejects(
      account('wrong-secret-0123').numbers(),
      (e: NonmerciError) => e.code === 'provider_auth' && !e.message.includes('wrong-secret-0123'),
    );
  });
});
