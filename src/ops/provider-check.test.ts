import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Config } from '../config/load.ts';
import { runConnect } from '../cli/connect.ts';
import {
  FakeTelnyxAccount,
  TELNYX_KEY,
  TELNYX_PUBLIC_KEY,
} from '../../test/support/fake-telnyx-account.ts';
import { FakeTwilio } from '../../test/support/fake-twilio.ts';
import {
  FakeVonageAccount,
  OTHER_APP,
  VONAGE_APP,
  VONAGE_KEY,
  VONAGE_SECRET,
  VONAGE_PRIVATE_KEY_FILE,
  VONAGE_SIGNATURE,
} from '../../test/support/fake-vonage-account.ts';
import { folder, operator, removeFolders } from '../../test/support/connect-run.ts';
import { testConfig } from '../../test/support/hotline.ts';
import type { Check } from './checks.ts';
import { checkLineAtProvider, configuredProviderChecks } from './provider-check.ts';

/**
 * The check behind a line's "check" button and doctor: against fakes of each provider's account
 * API, what passes, what fails, and that what `nonmerci connect` sets is what the check wants.
 */
const PUBLIC_URL = 'https://hotline.example.org';
const telnyx = new FakeTelnyxAccount();
const vonage = new FakeVonageAccount();
const twilio = new FakeTwilio();
before(async () => {
  await Promise.all([telnyx.start(), vonage.start(), twilio.start()]);
});
after(async () => {
  await Promise.all([telnyx.stop(), vonage.stop(), twilio.stop()]);
  removeFolders();
});
beforeEach(() => {
  telnyx.seed();
  vonage.seed();
});

const memory = { kind: 'sqlite', path: ':memory:' } as const;
const telnyxConfig = (apiKey = TELNYX_KEY): Config =>
  testConfig(memory, {
    publicUrl: PUBLIC_URL,
    telnyx: { apiKey, publicKey: TELNYX_PUBLIC_KEY, apiUrl: telnyx.url },
  });
const vonageConfig = (account = true): Config =>
  testConfig(memory, {
    publicUrl: PUBLIC_URL,
    vonage: {
      application: account ? null : { id: VONAGE_APP, privateKey: 'unused' },
      account: account ? { apiKey: VONAGE_KEY, apiSecret: VONAGE_SECRET } : null,
      signatureSecret: VONAGE_SIGNATURE,
      apiUrl: vonage.url,
    },
  });

const byId = (checks: Check[]) => new Map(checks.map((c) => [c.id, c]));

/** Runs `nonmerci connect` for the number, as an operator would. */
async function connect(provider: string, number: string, env: Record<string, string>) {
  const t = operator([], { PUBLIC_URL, ...env }, folder(null), false);
  const code = await runConnect(provider, { number, publicUrl: null, dryRun: false }, t.io);
  assert.equal(code, 0, t.out.join('\n'));
}

describe('checkLineAtProvider', () => {
  it('passes a simulator line with one check saying it is simulated', async () => {
    const checks = await checkLineAtProvider(telnyxConfig(), {
      number: '+33 1 99 00 00 00',
      provider: 'simulator',
    });
    assert.equal(checks.length, 1);
    assert.equal(checks[0]!.ok, true);
    assert.match(checks[0]!.message, /\+33199000000 runs on the simulated phone network/);
  });

  it('fails a line whose provider has no credentials, or is unknown, saying what to run', async () => {
    const [missing] = await checkLineAtProvider(telnyxConfig(), {
      number: '+33939000000',
      provider: 'vonage',
    });
    assert.equal(missing!.ok, false);
    assert.match(missing!.fix!, /nonmerci connect vonage/);
    const [unknown] = await checkLineAtProvider(telnyxConfig(), {
      number: '+33939000000',
      provider: 'telegraph',
    });
    assert.equal(unknown!.ok, false);
  });

  it('Telnyx: fails before connect, passes after it, and names a voice URL called with GET', async () => {
    const line = { number: '09 39 00 00 00', provider: 'telnyx' };
    const before = byId(await checkLineAtProvider(telnyxConfig(), line));
    assert.equal(before.get('provider_credentials')?.ok, true);
    const webhooks = before.get('webhooks')!;
    assert.equal(webhooks.ok, false);
    assert.match(webhooks.message, /calls to https:\/\/example\.com\/texml \(with GET\)/);
    assert.match(webhooks.message, /texts and delivery reports to nowhere/);
    assert.match(webhooks.fix!, /nonmerci connect telnyx/);

    await connect('telnyx', '+33939000000', {
      TELNYX_API_KEY: TELNYX_KEY,
      TELNYX_PUBLIC_KEY,
      TELNYX_API_URL: telnyx.url,
    });
    const checks = await checkLineAtProvider(telnyxConfig(), line);
    assert.deepEqual(
      checks.filter((c) => !c.ok),
      [],
    );
    assert.match(byId(checks).get('webhooks')!.message, /\+33939000000 come to https:\/\/hotline/);

    telnyx.apps[0]!.voiceMethod = 'get';
    const get = byId(await checkLineAtProvider(telnyxConfig(), line)).get('webhooks')!;
    assert.equal(get.ok, false);
    assert.match(get.message, /\(with GET\)/);
    // Reading changes nothing.
    const changesSoFar = telnyx.changes.length;
    await checkLineAtProvider(telnyxConfig(), line);
    assert.equal(telnyx.changes.length, changesSoFar);
  });

  it('Telnyx: a number not on the account, and a refused key', async () => {
    const absent = byId(
      await checkLineAtProvider(telnyxConfig(), { number: '+33939999999', provider: 'telnyx' }),
    );
    assert.match(absent.get('webhooks')!.message, /not a number of this telnyx account/);
    const refused = await checkLineAtProvider(telnyxConfig('KEYwrong0123456789'), {
      number: '+33939000000',
      provider: 'telnyx',
    });
    assert.equal(refused.length, 1);
    assert.equal(refused[0]!.ok, false);
    assert.match(refused[0]!.message, /Telnyx refused this API key/);
  });

  it("Vonage: checks the webhooks of the number's application, after connect too", async () => {
    const line = { number: '+33939000000', provider: 'vonage' };
    const before = byId(await checkLineAtProvider(vonageConfig(), line));
    assert.equal(before.get('webhooks')!.ok, false);

    await connect('vonage', '+33939000000', {
      VONAGE_API_KEY: VONAGE_KEY,
      VONAGE_API_SECRET: VONAGE_SECRET,
      VONAGE_APPLICATION_ID: VONAGE_APP,
      VONAGE_PRIVATE_KEY: VONAGE_PRIVATE_KEY_FILE,
      VONAGE_SIGNATURE_SECRET: VONAGE_SIGNATURE,
      VONAGE_API_URL: vonage.url,
    });
    const checks = await checkLineAtProvider(vonageConfig(), line);
    assert.deepEqual(
      checks.filter((c) => !c.ok),
      [],
    );
    // Linked elsewhere: the other application's (empty) webhooks are what Vonage uses.
    vonage.number('33939000000')!.appId = OTHER_APP;
    const elsewhere = byId(await checkLineAtProvider(vonageConfig(), line)).get('webhooks')!;
    assert.equal(elsewhere.ok, false);
    assert.match(elsewhere.message, /calls to nowhere.*call events to nowhere/);
  });

  it('Vonage without the API key: passes with a reminder of what to check by hand', async () => {
    const checks = await checkLineAtProvider(vonageConfig(false), {
      number: '+33939000000',
      provider: 'vonage',
    });
    assert.equal(checks.length, 1);
    assert.equal(checks[0]!.ok, true);
    assert.match(checks[0]!.fix!, /VONAGE_API_KEY and VONAGE_API_SECRET.*"Applications"/);
    assert.deepEqual(vonage.requests, []);
  });

  it('Twilio: needs the voice and sms URLs; status reports are named by each reply', async () => {
    twilio.numbers.length = 0;
    twilio.addNumber('+33939000000', {
      voiceUrl: `${PUBLIC_URL}/webhooks/twilio/voice`,
      smsUrl: `${PUBLIC_URL}/webhooks/twilio/sms`,
    });
    const config = testConfig(memory, { publicUrl: PUBLIC_URL, twilio: twilio.settings });
    const checks = await checkLineAtProvider(config, {
      number: '+33939000000',
      provider: 'twilio',
    });
    assert.deepEqual(
      checks.map((c) => [c.id, c.ok]),
      [
        ['provider_credentials', true],
        ['webhooks', true],
      ],
    );
  });
});

describe('configuredProviderChecks', () => {
  it("checks the default line's number, and only the credentials of another provider", async () => {
    twilio.numbers.length = 0;
    const config: Config = {
      ...telnyxConfig(),
      twilio: twilio.settings,
      hotline: { number: '+33939000000', language: 'fr', provider: 'telnyx' },
    };
    const checks = await configuredProviderChecks(config);
    assert.deepEqual(
      checks.map((c) => [c.id, c.ok]),
      [
        ['twilio_credentials', true],
        ['provider_credentials', true],
        ['webhooks', false],
      ],
    );
  });
});
