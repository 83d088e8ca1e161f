import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runConnect, type ConnectOptions } from '../src/cli/connect.ts';
import { helpFor } from '../src/cli/help.ts';
import { NonmerciError } from '../src/domain/errors.ts';
import { TwilioAccount } from '../src/telephony/twilio/account.ts';
import { FakeTwilio, SEEDED_NUMBERS } from './support/fake-twilio.ts';
import {
  assertRefused,
  closedPort,
  folder as makeFolder,
  nonmerci,
  operator,
  removeFolders,
  report,
  type Outcome,
} from './support/connect-run.ts';

/**
 * `nonmerci connect twilio`, run as an operator would (the real command, in a folder with its own
 * .env) against a fake Twilio on loopback: what Twilio receives, what .env becomes, and what the
 * operator reads when something is wrong.
 */
const fake = new FakeTwilio();
before(() => fake.start());
after(async () => {
  await fake.stop();
  removeFolders();
});
beforeEach(() => {
  fake.numbers.length = 0;
  fake.numberUpdates.length = 0;
  fake.requests.length = 0;
  fake.account = { friendlyName: 'nonmerci test account', status: 'active' };
  // Three numbers in pages of two: the command must follow next_page_uri to see the third.
  fake.pageSize = 2;
  fake.seedNumbers();
});

const PUBLIC_URL = 'https://hotline.example.org';
const WEBHOOKS = {
  VoiceUrl: `${PUBLIC_URL}/webhooks/twilio/voice`,
  VoiceMethod: 'POST',
  SmsUrl: `${PUBLIC_URL}/webhooks/twilio/sms`,
  SmsMethod: 'POST',
  StatusCallback: `${PUBLIC_URL}/webhooks/twilio/status`,
  StatusCallbackMethod: 'POST',
};

/** A .env as an operator leaves it after copying .env.example and setting a few things. */
const ENV_FILE = [
  '# nonmerci settings of the test hotline',
  '# (comments, blank lines and order must survive)',
  '',
  'PORT=3000',
  `PUBLIC_URL=${PUBLIC_URL}`,
  '',
  '# --- Twilio (leave unset to use the simulator) ---',
  '# TWILIO_ACCOUNT_SID=ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  '# TWILIO_AUTH_TOKEN=',
  '# TWILIO_API_URL=https://api.twilio.com',
  'BUDGET_DAILY=5',
  '',
].join('\n');

/** The credentials (and API address) of the fake, as environment variables. */
const credentials = () => ({
  TWILIO_ACCOUNT_SID: fake.accountSid,
  TWILIO_AUTH_TOKEN: fake.authToken,
  TWILIO_API_URL: fake.url,
});

/** A fresh folder holding `envText` as .env. */
const folder = (envText: string | null = ENV_FILE) => makeFolder(envText);

/** Nothing written: the .env is byte for byte and mode for mode what it was, Twilio unchanged. */
function assertNothingChanged(dir: string, envText: string | null = ENV_FILE): void {
  if (envText === null) assert.equal(existsSync(join(dir, '.env')), false);
  else {
    assert.equal(readFileSync(join(dir, '.env'), 'utf8'), envText);
    assert.equal(statSync(join(dir, '.env')).mode & 0o777, 0o644);
  }
  assert.deepEqual(fake.numberUpdates, []);
  assert.deepEqual(
    fake.requests.filter((r) => r.method !== 'GET'),
    [],
  );
  // connect opens no database: no data folder, no generated secret.
  assert.equal(existsSync(join(dir, 'data')), false);
}

const neverShowsToken = (o: Outcome, token = fake.authToken) => {
  assert.ok(!o.stdout.includes(token) && !o.stderr.includes(token), report(o));
};

describe('nonmerci connect twilio', () => {
  it('sets the webhooks of the chosen number and writes .env, keeping its lines and comments', async () => {
    const dir = folder();
    const o = await nonmerci(
      ['connect', 'twilio', '--number', '09 39 00 00 00'],
      credentials(),
      dir,
    );
    assert.equal(o.code, 0, report(o));
    const hotline = fake.number(SEEDED_NUMBERS.plateforme)!;
    assert.deepEqual(fake.numberUpdates, [{ sid: hotline.sid, fields: WEBHOOKS }]);
    assert.equal(hotline.voiceUrl, WEBHOOKS.VoiceUrl);
    assert.equal(hotline.voiceMethod, 'POST');
    assert.ok(
      fake.requests.some((r) => /IncomingPhoneNumbers\.json\?.*Page=1/.test(r.path)),
      'the second page of numbers was read',
    );
    assert.equal(
      readFileSync(join(dir, '.env'), 'utf8'),
      [
        '# nonmerci settings of the test hotline',
        '# (comments, blank lines and order must survive)',
        '',
        'PORT=3000',
        `PUBLIC_URL=${PUBLIC_URL}`,
        '',
        '# --- Twilio (leave unset to use the simulator) ---',
        `TWILIO_ACCOUNT_SID=${fake.accountSid}`,
        `TWILIO_AUTH_TOKEN=${fake.authToken}`,
        '# TWILIO_API_URL=https://api.twilio.com',
        'BUDGET_DAILY=5',
        `HOTLINE_NUMBER=${SEEDED_NUMBERS.plateforme}`,
        'HOTLINE_PROVIDER=twilio',
        '',
      ].join('\n'),
    );
    assert.equal(statSync(join(dir, '.env')).mode & 0o777, 0o600);
    assert.match(
      o.stdout,
      /https:\/\/demo\.twilio\.com\/welcome\/voice\/ → https:\/\/hotline\.example\.org\/webhooks\/twilio\/voice/,
    );
    assert.doesNotMatch(o.stderr, /French mobile/);
    neverShowsToken(o);
  });

  it('lists the numbers and exits with code 2 without --number and without a terminal', async () => {
    const dir = folder();
    const o = await nonmerci(['connect', 'twilio'], credentials(), dir);
    assert.equal(o.code, 2, report(o));
    for (const n of Object.values(SEEDED_NUMBERS)) assert.match(o.stdout, new RegExp(`\\${n}`));
    assert.match(
      o.stdout,
      /\+33939000000\s+voice and SMS\s+calls go to: https:\/\/demo\.twilio\.com/,
    );
    assert.match(o.stdout, /\+33939000001\s+voice only/);
    assert.match(o.stdout, /\+33639980012 .*French mobile/);
    assert.match(o.stderr, /--number/);
    assertNothingChanged(dir);
    neverShowsToken(o);
  });

  it('warns about a French 06 mobile number, and still configures it', async () => {
    const dir = folder();
    const o = await nonmerci(
      ['connect', 'twilio', '--number', '06 39 98 00 12'],
      credentials(),
      dir,
    );
    assert.equal(o.code, 0, report(o));
    assert.match(
      o.stderr,
      /French mobile number.*automated traffic is not allowed.*Use a 09 number/,
    );
    const mobile = fake.number(SEEDED_NUMBERS.mobile)!;
    assert.deepEqual(fake.numberUpdates, [{ sid: mobile.sid, fields: WEBHOOKS }]);
    assert.match(readFileSync(join(dir, '.env'), 'utf8'), /^HOTLINE_NUMBER=\+33639980012$/m);
  });

  it('--dry-run shows the changes, masks the token, and changes nothing', async () => {
    const dir = folder();
    const o = await nonmerci(
      ['connect', 'twilio', '--number', '+33939000000', '--dry-run'],
      credentials(),
      dir,
    );
    assert.equal(o.code, 0, report(o));
    assertNothingChanged(dir);
    assert.match(
      o.stdout,
      /a call comes in: +https:\/\/demo\.twilio\.com\/welcome\/voice\/ → https:\/\/hotline\.example\.org\/webhooks\/twilio\/voice/,
    );
    assert.match(
      o.stdout,
      /a message comes in: +\(none\) → https:\/\/hotline\.example\.org\/webhooks\/twilio\/sms/,
    );
    assert.match(
      o.stdout,
      /call status: +\(none\) → https:\/\/hotline\.example\.org\/webhooks\/twilio\/status/,
    );
    assert.match(o.stdout, /# TWILIO_ACCOUNT_SID=ACx+ → TWILIO_ACCOUNT_SID=AC0+1/);
    assert.match(o.stdout, /# TWILIO_AUTH_TOKEN= → TWILIO_AUTH_TOKEN=•+oken/);
    assert.match(o.stdout, /HOTLINE_NUMBER=\+33939000000 \(added at the end\)/);
    assert.match(o.stdout, /HOTLINE_PROVIDER=twilio \(added at the end\)/);
    assert.match(o.stdout, /PUBLIC_URL=https:\/\/hotline\.example\.org \(unchanged\)/);
    assert.match(o.stdout, /nothing was changed/i);
    neverShowsToken(o);
  });

  it('refuses bad credentials with one clear message, exit 1, nothing written', async () => {
    const dir = folder();
    const wrong = 'wrong-token-0123456789abcdef';
    const o = await nonmerci(
      ['connect', 'twilio', '--number', '+33939000000'],
      { ...credentials(), TWILIO_AUTH_TOKEN: wrong },
      dir,
    );
    assertRefused(
      o,
      1,
      /Twilio refused these credentials: check TWILIO_ACCOUNT_SID \/ TWILIO_AUTH_TOKEN/,
    );
    assert.equal(o.stderr.trim().split('\n').length, 1, report(o));
    assertNothingChanged(dir);
    neverShowsToken(o, wrong);
  });

  it('names TWILIO_API_URL when Twilio cannot be reached', async () => {
    const port = await closedPort();
    const dir = folder();
    const o = await nonmerci(
      ['connect', 'twilio', '--number', '+33939000000'],
      { ...credentials(), TWILIO_API_URL: `http://127.0.0.1:${port}` },
      dir,
    );
    assertRefused(
      o,
      1,
      new RegExp(`cannot be reached at http://127\\.0\\.0\\.1:${port}.*TWILIO_API_URL`),
    );
    assertNothingChanged(dir);
  });

  for (const [label, env, args, says] of [
    [
      'an http PUBLIC_URL',
      { PUBLIC_URL: 'http://hotline.example.org' },
      [],
      /PUBLIC_URL is http:\/\/hotline\.example\.org, but Twilio must reach the hotline over HTTPS.*--public-url https:/,
    ],
    [
      'a loopback --public-url',
      {},
      ['--public-url', 'https://127.0.0.1:3000'],
      /--public-url is https:\/\/127\.0\.0\.1:3000, an address of this machine only.*PUBLIC_URL=https:/,
    ],
  ] as const)
    it(`refuses ${label} before asking Twilio anything`, async () => {
      const envText = ENV_FILE.replace(/^PUBLIC_URL=.*\n/m, '');
      const dir = folder(envText);
      const o = await nonmerci(
        ['connect', 'twilio', '--number', '+33939000000', ...args],
        { ...credentials(), ...env },
        dir,
      );
      assertRefused(o, 1, says);
      assertNothingChanged(dir, envText);
      assert.deepEqual(fake.requests, []);
    });

  it('takes --public-url over PUBLIC_URL, and credentials from .env', async () => {
    const envText = `PUBLIC_URL=http://127.0.0.1:3000\nTWILIO_ACCOUNT_SID=${fake.accountSid}\nTWILIO_AUTH_TOKEN=${fake.authToken}\nTWILIO_API_URL=${fake.url}\n`;
    const dir = folder(envText);
    const o = await nonmerci(
      [
        'connect',
        'twilio',
        '--number',
        '+33939000000',
        '--public-url',
        'https://other.example.org/',
      ],
      {},
      dir,
    );
    assert.equal(o.code, 0, report(o));
    assert.equal(
      fake.numberUpdates[0]?.fields.SmsUrl,
      'https://other.example.org/webhooks/twilio/sms',
    );
    assert.equal(
      readFileSync(join(dir, '.env'), 'utf8'),
      `PUBLIC_URL=https://other.example.org\nTWILIO_ACCOUNT_SID=${fake.accountSid}\nTWILIO_AUTH_TOKEN=${fake.authToken}\nTWILIO_API_URL=${fake.url}\nHOTLINE_NUMBER=+33939000000\nHOTLINE_PROVIDER=twilio\n`,
    );
    neverShowsToken(o);
  });

  it('lists the providers it knows when given an unknown one (exit 2)', async () => {
    const o = await nonmerci(['connect', 'telegraph'], {}, folder());
    assert.equal(o.code, 2, report(o));
    assert.match(o.stderr, /does not know how to connect "telegraph"/, report(o));
    assert.match(o.stderr, /^\s+twilio\s/m, report(o));
  });
});

describe('nonmerci connect twilio refuses, before changing anything', () => {
  const options: ConnectOptions = { number: '+33939000000', publicUrl: null, dryRun: false };
  const connect = (opts: Partial<ConnectOptions>, env: Record<string, string> = {}) => {
    const dir = folder();
    const t = operator([], { ...credentials(), PUBLIC_URL, ...env }, dir, false);
    return {
      dir,
      out: t.out,
      run: () => runConnect('twilio', { ...options, ...opts }, t.io),
    };
  };

  it("a number that is not the account's, listing the account's numbers", async () => {
    const c = connect({ number: '09 39 99 99 99' });
    await assert.rejects(c.run(), (e: Error) => {
      assert.match(e.message, /\+33939999999 is not a number of this Twilio account/);
      for (const n of Object.values(SEEDED_NUMBERS)) assert.ok(e.message.includes(n), e.message);
      return true;
    });
    assertNothingChanged(c.dir);
  });

  it('a number without SMS', async () => {
    const c = connect({ number: SEEDED_NUMBERS.voiceOnly });
    await assert.rejects(
      c.run(),
      /\+33939000001 cannot send or receive texts.*needs both voice and SMS/,
    );
    assertNothingChanged(c.dir);
  });

  it('a number without voice', async () => {
    fake.addNumber('+33939000002', { voice: false });
    const c = connect({ number: '+33939000002' });
    await assert.rejects(c.run(), /\+33939000002 cannot receive calls/);
    assertNothingChanged(c.dir);
  });

  it('something that is not a phone number', async () => {
    const c = connect({ number: 'hotline' });
    await assert.rejects(c.run(), /--number "hotline" is not a phone number/);
    assert.deepEqual(fake.requests, []);
  });

  it('missing credentials when there is no terminal to ask for them', async () => {
    const dir = folder();
    const t = operator([], { PUBLIC_URL, TWILIO_API_URL: fake.url }, dir, false);
    await assert.rejects(
      runConnect('twilio', options, t.io),
      /neither TWILIO_ACCOUNT_SID nor TWILIO_AUTH_TOKEN is set.*run this command in a terminal/,
    );
    const half = operator([], { PUBLIC_URL, TWILIO_ACCOUNT_SID: fake.accountSid }, dir, false);
    await assert.rejects(runConnect('twilio', options, half.io), /TWILIO_AUTH_TOKEN is not set/);
    assertNothingChanged(dir);
  });

  it('a suspended account, or one without numbers', async () => {
    fake.account.status = 'suspended';
    await assert.rejects(connect({}).run(), /is suspended/);
    fake.account.status = 'active';
    fake.numbers.length = 0;
    await assert.rejects(connect({}).run(), /has no phone number yet.*Buy a 09 number/);
    assert.deepEqual(fake.numberUpdates, []);
  });

  for (const [url, says] of [
    ['', /--public-url is empty/],
    ['hotline.example.org', /is not a URL/],
    ['https://localhost:8443', /an address of this machine only/],
    ['https://app.localhost', /an address of this machine only/],
    ['https://[::1]/', /an address of this machine only/],
    ['https://0.0.0.0', /an address of this machine only/],
    ['https://127.1.2.3', /an address of this machine only/],
    ['https://hotline.example.org/?x=1', /without "\?", "#"/],
  ] as const)
    it(`--public-url "${url}"`, async () => {
      const c = connect({ publicUrl: url });
      await assert.rejects(c.run(), says);
      assert.deepEqual(fake.requests, []);
    });

  it('no provider, or an unknown one, with the list of known ones (exit 2)', async () => {
    const t = operator([], {}, folder(), false);
    assert.equal(await runConnect(null, options, t.io), 2);
    assert.equal(await runConnect('vonage-or-so', options, t.io), 2);
    assert.match(t.out.join('\n'), /Which provider\?/);
    assert.match(t.out.join('\n'), /^\s+twilio\s/m);
    assert.match(helpFor('connect') ?? '', /--dry-run/);
  });
});

describe('nonmerci connect twilio in a terminal', () => {
  it('asks for the credentials (the token without echo) and the number, then connects it', async () => {
    const dir = folder();
    const t = operator(
      ['not a sid', fake.accountSid, fake.authToken, '9', '1'],
      { PUBLIC_URL, TWILIO_API_URL: fake.url },
      dir,
    );
    const code = await runConnect('twilio', { number: null, publicUrl: null, dryRun: false }, t.io);
    assert.equal(code, 0, t.out.join('\n'));
    assert.deepEqual(
      t.asked.map((a) => a.secret),
      [false, false, true, false, false],
    );
    assert.match(t.out.join('\n'), /"AC" followed by 32 hexadecimal characters/);
    assert.match(t.out.join('\n'), /"9" is none of these/);
    assert.deepEqual(fake.numberUpdates, [
      { sid: fake.number(SEEDED_NUMBERS.plateforme)!.sid, fields: WEBHOOKS },
    ]);
    assert.ok(!t.out.join('\n').includes(fake.authToken));
    assert.match(
      readFileSync(join(dir, '.env'), 'utf8'),
      /^TWILIO_AUTH_TOKEN=fake-twilio-auth-token$/m,
    );
  });

  it('offers HOTLINE_NUMBER when Enter is pressed', async () => {
    const dir = folder();
    const t = operator([''], { ...credentials(), PUBLIC_URL, HOTLINE_NUMBER: '+33639980012' }, dir);
    const code = await runConnect('twilio', { number: null, publicUrl: null, dryRun: true }, t.io);
    assert.equal(code, 0, t.out.join('\n'));
    assert.match(t.asked[0]!.question, /Enter for \+33639980012/);
    assert.match(t.out.join('\n'), /Would set on \+33639980012/);
    assertNothingChanged(dir);
  });
});

describe('TwilioAccount', () => {
  const account = (fetch?: typeof globalThis.fetch, timeoutMs?: number) =>
    new TwilioAccount({
      ...fake.settings,
      ...(fetch && { fetch }),
      ...(timeoutMs && { timeoutMs }),
    });

  it('verifies the credentials, lists every page of numbers and configures one', async () => {
    assert.deepEqual(await account().verify(), {
      friendlyName: 'nonmerci test account',
      status: 'active',
    });
    const numbers = await account().numbers();
    assert.deepEqual(
      numbers.map((n) => [n.phoneNumber, n.capabilities.voice, n.capabilities.sms, n.voiceUrl]),
      [
        ['+33939000000', true, true, 'https://demo.twilio.com/welcome/voice/'],
        ['+33639980012', true, true, null],
        ['+33939000001', true, false, null],
      ],
    );
    const updated = await account().configure(numbers[0]!.sid, {
      voiceUrl: 'https://h.example.org/v',
      smsUrl: 'https://h.example.org/s',
      statusCallback: 'https://h.example.org/st',
    });
    assert.deepEqual(updated, {
      sid: numbers[0]!.sid,
      phoneNumber: '+33939000000',
      friendlyName: 'Hotline',
      voiceUrl: 'https://h.example.org/v',
      smsUrl: 'https://h.example.org/s',
      statusCallback: 'https://h.example.org/st',
      capabilities: { voice: true, sms: true },
    });
  });

  it('throws provider_auth on 401 and 403, provider_unreachable when nothing answers', async () => {
    const wrong = new TwilioAccount({ ...fake.settings, authToken: 'wrong' });
    await assert.rejects(wrong.verify(), (e: NonmerciError) => e.code === 'provider_auth');
    const forbidden = account(() =>
      Promise.resolve(Response.json({ code: 20003, message: 'Forbidden' }, { status: 403 })),
    );
    await assert.rejects(forbidden.numbers(), (e: NonmerciError) => e.code === 'provider_auth');
    const down = account(() => Promise.reject(new TypeError('fetch failed')));
    await assert.rejects(
      down.verify(),
      (e: NonmerciError) =>
        e.code === 'provider_unreachable' &&
        e.message.includes(fake.url) &&
        !e.message.includes(fake.authToken),
    );
    const silent = account(
      (_url, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error)),
        ),
      50,
    );
    await assert.rejects(
      silent.verify(),
      (e: NonmerciError) => e.code === 'provider_unreachable' && /no answer within/.test(e.message),
    );
  });

  it('refuses an answer that is not the API, and pages from elsewhere', async () => {
    const page = account(() =>
      Promise.resolve(new Response('<html>hello</html>', { status: 200 })),
    );
    await assert.rejects(page.verify(), /did not answer like Twilio's API.*TWILIO_API_URL/);
    const elsewhere = account(() =>
      Promise.resolve(
        Response.json({ incoming_phone_numbers: [], next_page_uri: 'https://evil.example/next' }),
      ),
    );
    await assert.rejects(elsewhere.numbers(), /another address/);
  });
});
