import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runConnect } from '../src/cli/connect.ts';
import { helpFor } from '../src/cli/help.ts';
import { NonmerciError } from '../src/domain/errors.ts';
import { TelnyxAccount } from '../src/telephony/telnyx/account.ts';
import {
  assertNoSecret,
  assertRefused,
  closedPort,
  folder,
  nonmerci,
  operator,
  removeFolders,
  report,
} from './support/connect-run.ts';
import { FakeTelnyxAccount, TELNYX_KEY, TELNYX_PUBLIC_KEY } from './support/fake-telnyx-account.ts';

/**
 * `nonmerci connect telnyx`, the real command against a fake Telnyx API on loopback: what Telnyx
 * receives (the TeXML application's voice URL, the messaging profile's webhook), what .env becomes,
 * and what the operator is told to do in the portal when the API cannot do it.
 */
const fake = new FakeTelnyxAccount();
before(() => fake.start());
after(async () => {
  await fake.stop();
  removeFolders();
});
beforeEach(() => fake.seed());

const PUBLIC_URL = 'https://hotline.example.org';
const VOICE = `${PUBLIC_URL}/webhooks/telnyx/voice`;
const MESSAGING = `${PUBLIC_URL}/webhooks/telnyx/messaging`;
const ENV_FILE = `# the hotline\nPUBLIC_URL=${PUBLIC_URL}\n# TELNYX_API_KEY=KEY…\n`;
const credentials = () => ({
  TELNYX_API_KEY: TELNYX_KEY,
  TELNYX_PUBLIC_KEY: TELNYX_PUBLIC_KEY,
  TELNYX_API_URL: fake.url,
});

/** The JSON bodies of the changes Telnyx received, with their method and path. */
const changes = () =>
  fake.changes.map((r) => ({
    method: r.method,
    path: r.path,
    body: JSON.parse(r.body) as unknown,
  }));

describe('nonmerci connect telnyx', () => {
  it("sets the TeXML application's voice URL and the messaging profile's webhook, and writes .env", async () => {
    const dir = folder(ENV_FILE);
    const o = await nonmerci(
      ['connect', 'telnyx', '--number', '09 39 00 00 00'],
      credentials(),
      dir,
    );
    assert.equal(o.code, 0, report(o));
    assert.deepEqual(changes(), [
      {
        method: 'PATCH',
        path: '/v2/texml_applications/1494404757140276705',
        body: { friendly_name: 'hotline-calls', voice_url: VOICE, voice_method: 'post' },
      },
      {
        method: 'PATCH',
        path: '/v2/messaging_profiles/4001767e-ce0f-4cae-9d5f-0d5e636e7809',
        body: { webhook_url: MESSAGING, webhook_api_version: '2' },
      },
    ]);
    assert.ok(fake.requests.every((r) => r.authorization === `Bearer ${TELNYX_KEY}`));
    assert.equal(
      readFileSync(join(dir, '.env'), 'utf8'),
      `# the hotline\nPUBLIC_URL=${PUBLIC_URL}\nTELNYX_API_KEY=${TELNYX_KEY}\nTELNYX_PUBLIC_KEY=${TELNYX_PUBLIC_KEY}\nHOTLINE_NUMBER=+33939000000\nHOTLINE_PROVIDER=telnyx\n`,
    );
    assert.equal(statSync(join(dir, '.env')).mode & 0o777, 0o600);
    assert.match(o.stdout, /Telnyx accepted the API key \(balance 300\.00 USD\)/);
    assert.match(
      o.stdout,
      /TeXML application "hotline-calls"\): https:\/\/example\.com\/texml \(GET\) → https:\/\/hotline\.example\.org\/webhooks\/telnyx\/voice/,
    );
    assert.match(
      o.stdout,
      /messaging profile "hotline-texts"\): \(none\) → .*\/webhooks\/telnyx\/messaging/,
    );
    // +33939000002 shares the messaging profile: its texts will come here too.
    assert.match(o.stderr, /"hotline-texts" also takes the texts of \+33939000002/);
    assert.match(o.stdout, /Next: restart nonmerci/);
    assertNoSecret(o, TELNYX_KEY);
  });

  it('--dry-run shows the plan, masks the key, and changes nothing', async () => {
    const dir = folder(ENV_FILE);
    const o = await nonmerci(
      ['connect', 'telnyx', '--number', '+33939000000', '--dry-run'],
      credentials(),
      dir,
    );
    assert.equal(o.code, 0, report(o));
    assert.deepEqual(fake.changes, []);
    assert.equal(readFileSync(join(dir, '.env'), 'utf8'), ENV_FILE);
    assert.match(o.stdout, /Would set on \+33939000000 at Telnyx/);
    assert.match(o.stdout, /# TELNYX_API_KEY=•+ → TELNYX_API_KEY=•+fake\n/);
    assert.match(o.stdout, /HOTLINE_PROVIDER=telnyx \(added at the end\)/);
    assert.match(o.stdout, /nothing was changed, at Telnyx or in \.env/);
    assertNoSecret(o, TELNYX_KEY);
  });

  it('says what to create in the portal for a number with neither TeXML application nor messaging profile', async () => {
    const dir = folder(ENV_FILE);
    const o = await nonmerci(['connect', 'telnyx', '--number', '+33939000001'], credentials(), dir);
    assert.equal(o.code, 0, report(o));
    assert.deepEqual(fake.changes, []);
    assert.match(o.stderr, /Telnyx's API cannot do this for you; do it in its console/);
    assert.match(
      o.stderr,
      new RegExp(
        `has no connection for its calls.*"TeXML Applications", create an application with Voice URL ${VOICE} and method POST.*"Numbers" › "My Numbers"`,
      ),
    );
    assert.match(
      o.stderr,
      new RegExp(
        `"Messaging Profiles", create a profile whose inbound webhook URL is ${MESSAGING} \\(API version 2\\)`,
      ),
    );
    assert.match(readFileSync(join(dir, '.env'), 'utf8'), /^HOTLINE_NUMBER=\+33939000001$/m);
    assert.match(o.stdout, /Next: do what is listed above in the Telnyx console.*nonmerci doctor/);
  });

  it('sets the messaging profile only when calls go to a connection that is not a TeXML application', async () => {
    const o = await nonmerci(
      ['connect', 'telnyx', '--number', '+33939000002'],
      credentials(),
      folder(ENV_FILE),
    );
    assert.equal(o.code, 0, report(o));
    assert.deepEqual(
      changes().map((c) => c.path),
      ['/v2/messaging_profiles/4001767e-ce0f-4cae-9d5f-0d5e636e7809'],
    );
    assert.match(o.stderr, /connection 1684641123236054244, which is not a TeXML application/);
  });

  it('changes nothing at Telnyx when everything already points at the hotline', async () => {
    Object.assign(fake.apps[0]!, { voiceUrl: VOICE, voiceMethod: 'post' });
    fake.profiles[0]!.webhookUrl = MESSAGING;
    const o = await nonmerci(
      ['connect', 'telnyx', '--number', '+33939000000'],
      credentials(),
      folder(ENV_FILE),
    );
    assert.equal(o.code, 0, report(o));
    assert.deepEqual(fake.changes, []);
    assert.match(o.stdout, /voice \(unchanged\)/);
  });

  it('refuses a wrong API key with one clear message, nothing written', async () => {
    const dir = folder(ENV_FILE);
    const wrong = 'KEYwrong0123456789abcdef';
    const o = await nonmerci(
      ['connect', 'telnyx', '--number', '+33939000000'],
      { ...credentials(), TELNYX_API_KEY: wrong },
      dir,
    );
    assertRefused(o, 1, /Telnyx refused this API key: check TELNYX_API_KEY in the Telnyx portal/);
    assert.equal(readFileSync(join(dir, '.env'), 'utf8'), ENV_FILE);
    assert.deepEqual(fake.changes, []);
    assertNoSecret(o, wrong);
  });

  it('lists the numbers and exits with code 2 without --number and without a terminal', async () => {
    const dir = folder(ENV_FILE);
    const o = await nonmerci(['connect', 'telnyx'], credentials(), dir);
    assert.equal(o.code, 2, report(o));
    assert.match(o.stdout, /\+33939000000\s+voice, SMS\s+connection: 1494404757140276705/);
    assert.match(o.stdout, /\+33939000001\s+no voice, no SMS/);
    assert.match(o.stderr, /nonmerci connect telnyx --number/);
    assert.equal(readFileSync(join(dir, '.env'), 'utf8'), ENV_FILE);
  });

  it('names what is missing when there is no terminal to ask for it', async () => {
    const t = operator([], { PUBLIC_URL, TELNYX_API_URL: fake.url }, folder(null), false);
    const options = { number: '+33939000000', publicUrl: null, dryRun: false };
    await assert.rejects(
      runConnect('telnyx', options, t.io),
      /neither TELNYX_API_KEY nor TELNYX_PUBLIC_KEY is set.*"API Keys".*run this command in a terminal/,
    );
    const half = operator([], { PUBLIC_URL, TELNYX_API_KEY: TELNYX_KEY }, folder(null), false);
    await assert.rejects(runConnect('telnyx', options, half.io), /TELNYX_PUBLIC_KEY is not set/);
    assert.deepEqual(fake.requests, []);
  });

  it('asks in a terminal for the key (without echo) and the public key, then connects', async () => {
    const dir = folder(null);
    const t = operator(
      ['not-a-key', TELNYX_KEY, TELNYX_PUBLIC_KEY, '1'],
      { PUBLIC_URL, TELNYX_API_URL: fake.url },
      dir,
    );
    const code = await runConnect('telnyx', { number: null, publicUrl: null, dryRun: false }, t.io);
    assert.equal(code, 0, t.out.join('\n'));
    assert.deepEqual(
      t.asked.map((a) => a.secret),
      [true, true, false, false],
    );
    assert.match(t.out.join('\n'), /starts with "KEY"/);
    assert.equal(fake.changes.length, 2);
    assert.ok(!t.out.join('\n').includes(TELNYX_KEY));
    assert.match(readFileSync(join(dir, '.env'), 'utf8'), /^TELNYX_PUBLIC_KEY=/m);
  });

  it('is listed by "nonmerci connect" and in the help', async () => {
    const t = operator([], {}, folder(null), false);
    assert.equal(await runConnect(null, { number: null, publicUrl: null, dryRun: false }, t.io), 2);
    assert.match(t.out.join('\n'), /^\s+telnyx\s/m);
    assert.match(helpFor('connect') ?? '', /^ {2}telnyx +TELNYX_API_KEY, TELNYX_PUBLIC_KEY/m);
  });
});

describe('TelnyxAccount', () => {
  const account = (apiKey = TELNYX_KEY, apiUrl = fake.url) => new TelnyxAccount({ apiKey, apiUrl });

  it('follows the pages of numbers', async () => {
    fake.pageSize = 2;
    try {
      const numbers = await account().numbers();
      assert.deepEqual(
        numbers.map((n) => [n.phoneNumber, n.connectionId, n.messagingProfileId]),
        [
          ['+33939000000', '1494404757140276705', '4001767e-ce0f-4cae-9d5f-0d5e636e7809'],
          ['+33939000001', null, null],
          ['+33939000002', '1684641123236054244', '4001767e-ce0f-4cae-9d5f-0d5e636e7809'],
        ],
      );
      assert.ok(fake.requests.some((r) => r.path.includes('page[number]=2')));
    } finally {
      fake.pageSize = 250;
    }
  });

  it('gives null for a connection that is not a TeXML application, and errors the operator can act on', async () => {
    assert.equal(await account().texmlApplication('1684641123236054244'), null);
    await assert.rejects(
      account('KEYwrong0123456789').verify(),
      (e: NonmerciError) => e.code === 'provider_auth',
    );
    const port = await closedPort();
    await assert.rejects(
      account(TELNYX_KEY, `http://127.0.0.1:${port}`).verify(),
      (e: NonmerciError) =>
        e.code === 'provider_unreachable' &&
        /TELNYX_API_URL/.test(e.message) &&
        !e.message.includes(TELNYX_KEY),
    );
    fake.apps[0]!.friendlyName = 'renamed';
    const app = (await account().texmlApplication('1494404757140276705'))!;
    await account().setVoiceUrl(app, 'https://h.example.org/v');
    assert.equal(fake.apps[0]!.friendlyName, 'renamed');
    assert.equal(fake.apps[0]!.voiceMethod, 'post');
  });
});
