import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../domain/errors.ts';
import { DEFAULT_SHIELD, loadConfig, readSettings } from './load.ts';

const SECRET = 'x'.repeat(40);
const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-config-'));
  dirs.push(dir);
  return dir;
}

/** Env with a data dir and secret, so no test writes into the working directory. */
function env(values: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { NONMERCI_DATA_DIR: tempDir(), NONMERCI_SECRET: SECRET, ...values };
}

/** Asserts a ConfigError naming `variable` (in details and at the start of the message). */
function assertConfigError(fn: () => unknown, variable: string, mentions: RegExp = /./): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.code, 'config_invalid');
    assert.equal(error.details.variable, variable);
    assert.ok(error.message.startsWith(`${variable}: `), error.message);
    assert.match(error.message, mentions);
    return true;
  });
}

describe('loadConfig defaults', () => {
  const config = loadConfig(env());

  it('listens on 127.0.0.1:3000 and derives the public URL', () => {
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.publicUrl, 'http://127.0.0.1:3000');
  });

  it('leaves REPLY_DELAY to the line (null)', () => {
    assert.equal(config.replyDelayMs, null);
  });

  it('caps spend at 5 EUR a day and 50 EUR a month, at 0.16 a segment', () => {
    assert.deepEqual(config.budget, { dailyMicros: 5_000_000, monthlyMicros: 50_000_000 });
    assert.equal(config.segmentPriceMicros, 160_000);
    assert.equal(config.currency, 'EUR');
  });

  it('has the documented durations, zone and countries', () => {
    assert.equal(config.replyCooldownMs, 90 * 86_400_000);
    assert.equal(config.replyExpiryMs, 24 * 3_600_000);
    assert.equal(config.workerPollMs, 1000);
    assert.equal(config.timeZone, 'Europe/Paris');
    assert.deepEqual(config.allowedCountries, ['FR']);
  });

  it('uses the simulator, a French demo line and SQLite in the data folder', () => {
    assert.equal(config.twilio, null);
    assert.deepEqual(config.hotline, { number: null, language: 'fr', provider: 'simulator' });
    assert.deepEqual(config.database, {
      kind: 'sqlite',
      path: join(config.dataDir, 'nonmerci.db'),
      inDataDir: true,
    });
  });

  it('treats empty values as unset', () => {
    const c = loadConfig(env({ PORT: '', REPLY_DELAY: '  ', BUDGET_DAILY: '' }));
    assert.equal(c.port, 3000);
    assert.equal(c.replyDelayMs, null);
    assert.equal(c.budget.dailyMicros, 5_000_000);
  });
});

describe('loadConfig values', () => {
  it('reads explicit values', () => {
    const c = loadConfig(
      env({
        PORT: ' 8080 ',
        HOST: '::1',
        REPLY_DELAY: '90s',
        BUDGET_DAILY: '2,50',
        BUDGET_MONTHLY: '20',
        SMS_SEGMENT_PRICE: '0.076',
        ALLOWED_COUNTRIES: 'fr, be',
        HOTLINE_NUMBER: '09 39 00 00 00',
        HOTLINE_LANGUAGE: 'en',
      }),
    );
    assert.equal(c.port, 8080);
    assert.equal(c.publicUrl, 'http://[::1]:8080');
    assert.equal(c.replyDelayMs, 90_000);
    assert.deepEqual(c.budget, { dailyMicros: 2_500_000, monthlyMicros: 20_000_000 });
    assert.equal(c.segmentPriceMicros, 76_000);
    assert.deepEqual(c.allowedCountries, ['FR', 'BE']);
    assert.deepEqual(c.hotline, { number: '+33939000000', language: 'en', provider: 'simulator' });
  });

  it('strips the trailing slash of PUBLIC_URL', () => {
    assert.equal(
      loadConfig(env({ PUBLIC_URL: 'https://hotline.example.org/' })).publicUrl,
      'https://hotline.example.org',
    );
  });

  it('configures Twilio when both SID and token are set', () => {
    const c = loadConfig(env({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'token' }));
    assert.deepEqual(c.twilio, {
      accountSid: SID,
      authToken: 'token',
      apiUrl: 'https://api.twilio.com',
    });
  });

  const databases: [url: string, target: unknown][] = [
    ['postgres://u@localhost/db', { kind: 'postgres', url: 'postgres://u@localhost/db' }],
    ['postgresql://u@localhost/db', { kind: 'postgres', url: 'postgresql://u@localhost/db' }],
    ['sqlite://:memory:', { kind: 'sqlite', path: ':memory:' }],
    ['sqlite://relative/file.db', { kind: 'sqlite', path: resolve('relative/file.db') }],
  ];
  for (const [url, target] of databases) {
    it(`DATABASE_URL=${url}`, () => {
      assert.deepEqual(loadConfig(env({ DATABASE_URL: url })).database, target);
    });
  }
});

describe('loadConfig secret', () => {
  it('generates a secret file with mode 0600 and reuses it on the next load', () => {
    const dir = tempDir();
    const first = loadConfig({ NONMERCI_DATA_DIR: dir });
    const file = join(dir, 'secret');
    assert.equal(first.secretGeneratedAt, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(first.secret.length >= 32);
    assert.equal(readFileSync(file, 'utf8').trim(), first.secret);

    const second = loadConfig({ NONMERCI_DATA_DIR: dir });
    assert.equal(second.secret, first.secret);
    assert.equal(second.secretGeneratedAt, null);
  });

  it('creates the data folder when missing', () => {
    const dir = join(tempDir(), 'nested', 'data');
    assert.equal(loadConfig({ NONMERCI_DATA_DIR: dir }).secretGeneratedAt, join(dir, 'secret'));
  });

  it('uses NONMERCI_SECRET without writing a file', () => {
    const dir = tempDir();
    const c = loadConfig({ NONMERCI_DATA_DIR: dir, NONMERCI_SECRET: SECRET });
    assert.equal(c.secret, SECRET);
    assert.equal(c.secretGeneratedAt, null);
    assert.equal(existsSync(join(dir, 'secret')), false);
  });

  it('refuses a damaged secret file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret'), 'short\n');
    assertConfigError(() => loadConfig({ NONMERCI_DATA_DIR: dir }), 'NONMERCI_SECRET', /damaged/);
  });
});

describe('loadConfig errors name the variable', () => {
  const cases: [values: Record<string, string>, variable: string][] = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '3.5' }, 'PORT'],
    [{ REPLY_DELAY: '3600' }, 'REPLY_DELAY'],
    [{ REPLY_COOLDOWN: '90' }, 'REPLY_COOLDOWN'],
    [{ BUDGET_DAILY: '-1' }, 'BUDGET_DAILY'],
    [{ BUDGET_MONTHLY: '1e3' }, 'BUDGET_MONTHLY'],
    [{ SMS_SEGMENT_PRICE: 'free' }, 'SMS_SEGMENT_PRICE'],
    [{ ALLOWED_COUNTRIES: 'France' }, 'ALLOWED_COUNTRIES'],
    [{ ALLOWED_COUNTRIES: ',' }, 'ALLOWED_COUNTRIES'],
    [{ TIMEZONE: 'Mars/Olympus' }, 'TIMEZONE'],
    [{ TWILIO_ACCOUNT_SID: SID }, 'TWILIO_AUTH_TOKEN'],
    [{ TWILIO_AUTH_TOKEN: 'token' }, 'TWILIO_ACCOUNT_SID'],
    [{ TWILIO_ACCOUNT_SID: 'SK123', TWILIO_AUTH_TOKEN: 'token' }, 'TWILIO_ACCOUNT_SID'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite://' }, 'DATABASE_URL'],
    [{ NONMERCI_SECRET: 'short' }, 'NONMERCI_SECRET'],
    [{ PUBLIC_URL: 'ftp://hotline.example.org' }, 'PUBLIC_URL'],
    [{ TWILIO_API_URL: 'not a url' }, 'TWILIO_API_URL'],
    [{ HOTLINE_NUMBER: 'garbage' }, 'HOTLINE_NUMBER'],
    [{ HOTLINE_LANGUAGE: 'de' }, 'HOTLINE_LANGUAGE'],
    [{ CURRENCY: 'eur' }, 'CURRENCY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
    [{ WORKER_POLL: '1' }, 'WORKER_POLL'],
    [{ WORKER_POLL: '0s' }, 'WORKER_POLL'],
    [{ WORKER_POLL: '2h' }, 'WORKER_POLL'],
    [{ WORKER_LEASE: '500ms' }, 'WORKER_LEASE'],
    [{ REPLY_COOLDOWN: '0s' }, 'REPLY_COOLDOWN'],
    [{ REPLY_COOLDOWN: '59m' }, 'REPLY_COOLDOWN'],
    [{ REPLY_EXPIRY: '0s' }, 'REPLY_EXPIRY'],
  ];
  for (const [values, variable] of cases) {
    const [name, value] = Object.entries(values)[0]!;
    it(`${name}=${value} → ${variable}`, () => {
      assertConfigError(() => loadConfig(env(values)), variable);
    });
  }

  it('quotes the bad value and shows what to write instead', () => {
    assertConfigError(
      () => loadConfig(env({ REPLY_DELAY: '3600' })),
      'REPLY_DELAY',
      /"3600".*unit.*1h/,
    );
  });

  it('reports several bad settings together', () => {
    assertConfigError(
      () => loadConfig(env({ PORT: 'abc', REPLY_DELAY: '3600', TIMEZONE: 'Mars/Olympus' })),
      'settings',
      /3 settings need fixing:\n {2}- PORT: .*\n {2}- REPLY_DELAY: .*\n {2}- TIMEZONE: /,
    );
  });

  it('reports DATABASE_URL and Twilio mistakes with the others', () => {
    assertConfigError(
      () => loadConfig(env({ PORT: 'abc', DATABASE_URL: 'mysql://x', TWILIO_AUTH_TOKEN: 'token' })),
      'settings',
      /PORT[\s\S]*DATABASE_URL[\s\S]*TWILIO_ACCOUNT_SID/,
    );
  });

  for (const port of ['0x10', '1e3']) {
    it(`PORT=${port} is not a whole number as people write them`, () => {
      assertConfigError(() => loadConfig(env({ PORT: port })), 'PORT');
    });
  }

  for (const number of ['abc123', '12']) {
    it(`HOTLINE_NUMBER=${number} is not a phone number`, () => {
      assertConfigError(() => loadConfig(env({ HOTLINE_NUMBER: number })), 'HOTLINE_NUMBER');
    });
  }
});

describe('readSettings', () => {
  it('returns defaults and leaves optional settings undefined', () => {
    const s = readSettings({});
    assert.equal(s.PORT, 3000);
    assert.equal(s.REPLY_DELAY, 3_600_000);
    assert.equal(s.PUBLIC_URL, undefined);
    assert.equal(s.TWILIO_ACCOUNT_SID, undefined);
  });

  it('throws one ConfigError per single mistake', () => {
    assertConfigError(() => readSettings({ BUDGET_DAILY: '-1' }), 'BUDGET_DAILY', /"-1"/);
  });
});

describe('shield settings of the slow-raid detector and the pacing', () => {
  it('defaults to a 30-minute slow window, 8 hostile newcomers and a floor of 2 callers an hour', () => {
    const { shield } = loadConfig(env());
    assert.equal(shield.slowWindowMs, 30 * 60_000);
    assert.equal(shield.slowNewcomers, 8);
    assert.equal(shield.pacingFloorPerHour, 2);
    assert.deepEqual(
      [
        DEFAULT_SHIELD.slowWindowMs,
        DEFAULT_SHIELD.slowNewcomers,
        DEFAULT_SHIELD.pacingFloorPerHour,
      ],
      [30 * 60_000, 8, 2],
    );
  });

  it('reads explicit values', () => {
    const { shield } = loadConfig(
      env({ SHIELD_SLOW_WINDOW: '1h30m', SHIELD_SLOW_NEWCOMERS: ' 12 ', SHIELD_PACING_FLOOR: '0' }),
    );
    assert.equal(shield.slowWindowMs, 90 * 60_000);
    assert.equal(shield.slowNewcomers, 12);
    assert.equal(shield.pacingFloorPerHour, 0, 'a floor of zero keeps only the usual rate');
  });

  it('accepts the bounds of the whole-number settings', () => {
    const low = loadConfig(env({ SHIELD_SLOW_NEWCOMERS: '2', SHIELD_PACING_FLOOR: '10000' }));
    assert.deepEqual([low.shield.slowNewcomers, low.shield.pacingFloorPerHour], [2, 10_000]);
  });

  const bad: [name: string, value: string, mentions: RegExp][] = [
    ['SHIELD_SLOW_WINDOW', '30', /"30" is not a duration.*30m/],
    ['SHIELD_SLOW_WINDOW', 'half an hour', /"half an hour" is not a duration/],
    ['SHIELD_SLOW_WINDOW', '-30m', /"-30m" is not a duration/],
    ['SHIELD_SLOW_NEWCOMERS', '1', /"1" must be a whole number from 2 to 1000000/],
    ['SHIELD_SLOW_NEWCOMERS', '2.5', /"2.5" must be a whole number/],
    ['SHIELD_SLOW_NEWCOMERS', 'eight', /"eight" must be a whole number/],
    ['SHIELD_PACING_FLOOR', '-1', /"-1" must be a whole number from 0 to 10000/],
    ['SHIELD_PACING_FLOOR', '10001', /"10001" must be a whole number from 0 to 10000/],
    ['SHIELD_PACING_FLOOR', 'deux', /"deux" must be a whole number/],
  ];
  for (const [name, value, mentions] of bad) {
    it(`refuses ${name}=${value}, naming it`, () => {
      assertConfigError(() => loadConfig(env({ [name]: value })), name, mentions);
    });
  }

  it('stops on SHIELD_HOURLY_BUDGET, saying it was replaced by SHIELD_PACING_FLOOR', () => {
    assertConfigError(
      () => loadConfig(env({ SHIELD_HOURLY_BUDGET: '0.50' })),
      'SHIELD_HOURLY_BUDGET',
      /replaced by pacing[\s\S]*SHIELD_PACING_FLOOR[\s\S]*Remove SHIELD_HOURLY_BUDGET/,
    );
    assertConfigError(() => readSettings({ SHIELD_HOURLY_BUDGET: '1' }), 'SHIELD_HOURLY_BUDGET');
  });

  it('treats an empty SHIELD_HOURLY_BUDGET as unset', () => {
    assert.equal(loadConfig(env({ SHIELD_HOURLY_BUDGET: '  ' })).shield.pacingFloorPerHour, 2);
  });

  it('lists SHIELD_HOURLY_BUDGET with the other mistakes', () => {
    assertConfigError(
      () => loadConfig(env({ SHIELD_HOURLY_BUDGET: '1', SHIELD_PACING_FLOOR: 'x', PORT: 'abc' })),
      'settings',
      /3 settings need fixing:\n {2}- SHIELD_HOURLY_BUDGET: [\s\S]*\n {2}- PORT: [\s\S]*\n {2}- SHIELD_PACING_FLOOR: /,
    );
  });
});
