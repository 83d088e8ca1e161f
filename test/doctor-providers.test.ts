import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Check } from '../src/ops/checks.ts';
import { folder, nonmerci, removeFolders, report } from './support/connect-run.ts';
import { FakeTelnyxAccount, TELNYX_KEY, TELNYX_PUBLIC_KEY } from './support/fake-telnyx-account.ts';
import {
  FakeVonageAccount,
  VONAGE_APP,
  VONAGE_KEY,
  VONAGE_SECRET,
  VONAGE_PRIVATE_KEY_FILE,
  VONAGE_SIGNATURE,
} from './support/fake-vonage-account.ts';
import { TEST_SECRET } from './support/hotline.ts';

/**
 * `nonmerci doctor` with a Telnyx or a Vonage line, run as an operator would against fakes of their
 * account APIs: the credentials, the number on the account, and its webhooks at PUBLIC_URL's
 * addresses for that provider. PUBLIC_URL is an https address nothing answers (its own check is
 * doctor.test.ts's business): the provider's webhooks are compared with it all the same.
 */
const PUBLIC_URL = 'https://localhost:9';
const telnyx = new FakeTelnyxAccount();
const vonage = new FakeVonageAccount();
before(async () => {
  await Promise.all([telnyx.start(), vonage.start()]);
});
after(async () => {
  await Promise.all([telnyx.stop(), vonage.stop()]);
  removeFolders();
});
beforeEach(() => {
  telnyx.seed();
  vonage.seed();
});

async function doctor(env: Record<string, string>) {
  const dir = folder(null);
  const o = await nonmerci(
    ['doctor', '--json'],
    {
      NONMERCI_DATA_DIR: join(dir, 'data'),
      NONMERCI_SECRET: TEST_SECRET,
      PUBLIC_URL,
      HOTLINE_NUMBER: '+33939000000',
      ...env,
    },
    dir,
  );
  assert.equal(o.stderr, '', report(o));
  const { checks } = JSON.parse(o.stdout) as { checks: Check[] };
  return { code: o.code, byId: new Map(checks.map((c) => [c.id, c])), text: o.stdout };
}

const telnyxEnv = (apiKey = TELNYX_KEY) => ({
  TELNYX_API_KEY: apiKey,
  TELNYX_PUBLIC_KEY,
  TELNYX_API_URL: telnyx.url,
});
const vonageEnv = () => ({
  VONAGE_API_KEY: VONAGE_KEY,
  VONAGE_API_SECRET: VONAGE_SECRET,
  VONAGE_APPLICATION_ID: VONAGE_APP,
  VONAGE_PRIVATE_KEY: VONAGE_PRIVATE_KEY_FILE,
  VONAGE_SIGNATURE_SECRET: VONAGE_SIGNATURE,
  VONAGE_API_URL: vonage.url,
});

describe('nonmerci doctor with Telnyx', () => {
  it('passes when the TeXML application and the messaging profile point at PUBLIC_URL', async () => {
    Object.assign(telnyx.apps[0]!, {
      voiceUrl: `${PUBLIC_URL}/webhooks/telnyx/voice`,
      voiceMethod: 'post',
    });
    telnyx.profiles[0]!.webhookUrl = `${PUBLIC_URL}/webhooks/telnyx/messaging`;
    const { byId } = await doctor(telnyxEnv());
    assert.equal(byId.get('provider_credentials')?.ok, true);
    const webhooks = byId.get('webhooks')!;
    assert.equal(webhooks.ok, true, webhooks.message);
    assert.match(webhooks.message, /\+33939000000 come to https:\/\/localhost:9/);
    assert.deepEqual(telnyx.changes, []);
  });

  it('names the webhooks pointing elsewhere, and a refused key, with what to run', async () => {
    const { code, byId } = await doctor(telnyxEnv());
    assert.equal(code, 1);
    const webhooks = byId.get('webhooks')!;
    assert.equal(webhooks.ok, false);
    assert.match(webhooks.message, /calls to https:\/\/example\.com\/texml \(with GET\)/);
    assert.match(webhooks.fix!, /nonmerci connect telnyx/);
    const refused = await doctor(telnyxEnv('KEYwrong0123456789'));
    assert.equal(refused.byId.get('provider_credentials')?.ok, false);
    assert.match(refused.byId.get('provider_credentials')!.message, /Telnyx refused this API key/);
  });
});

describe('nonmerci doctor with Vonage', () => {
  it("passes when the number's application holds the four addresses, with POST", async () => {
    const app = vonage.apps.get(VONAGE_APP)!;
    const hook = (name: string) => ({
      address: `${PUBLIC_URL}/webhooks/vonage/${name}`,
      http_method: 'POST',
    });
    app.capabilities = {
      voice: { webhooks: { answer_url: hook('answer'), event_url: hook('event') } },
      messages: {
        webhooks: { inbound_url: hook('inbound'), status_url: hook('status') },
        version: 'v1',
      },
    };
    vonage.number('33939000000')!.appId = VONAGE_APP;
    const { byId } = await doctor({ ...vonageEnv(), HOTLINE_PROVIDER: 'vonage' });
    assert.equal(byId.get('provider_credentials')?.ok, true);
    assert.equal(byId.get('webhooks')?.ok, true, byId.get('webhooks')?.message);
    assert.deepEqual(vonage.changes, []);
  });

  it('fails a number linked to no application, pointing at connect', async () => {
    const { code, byId } = await doctor(vonageEnv());
    assert.equal(code, 1);
    const webhooks = byId.get('webhooks')!;
    assert.equal(webhooks.ok, false);
    assert.match(webhooks.message, /calls to nowhere/);
    assert.match(webhooks.fix!, /nonmerci connect vonage/);
  });
});
