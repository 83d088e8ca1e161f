import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DIALECTS, POSTGRES_URL } from './support/databases.ts';
import { BIN } from './support/server-process.ts';

/**
 * A mistake in the settings stops the real `nonmerci` command with one message naming the setting
 * and what to write, a non-zero exit code and no stack trace, whatever the mistake is found by: the
 * settings check, the database driver, listen() or the reading of .env.
 */
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-startup-'));
  dirs.push(dir);
  return dir;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/nonmerci.js in `cwd` with only `env` (and PATH, HOME), killed after 30 s. */
function nonmerci(args: string[], env: Record<string, string>, cwd = tempDir()): Promise<Outcome> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Asserts the start stopped with one "nonmerci: …" message matching `says`, and no stack trace. */
function assertStopped(outcome: Outcome, says: RegExp): void {
  const report = `exit ${outcome.code}\nstdout:\n${outcome.stdout}\nstderr:\n${outcome.stderr}`;
  assert.ok(outcome.code !== 0 && outcome.code !== null, `non-zero exit expected; ${report}`);
  assert.doesNotMatch(outcome.stderr, /^\s+at /m, `no stack trace expected; ${report}`);
  assert.doesNotMatch(outcome.stderr, /^Node\.js v/m, report);
  assert.match(outcome.stderr, /^nonmerci: /, report);
  assert.match(outcome.stderr, says, report);
}

/** A settings set that needs nothing else: a private data folder and a secret. */
function settings(values: Record<string, string> = {}): Record<string, string> {
  return { NONMERCI_DATA_DIR: join(tempDir(), 'data'), NONMERCI_SECRET: 'x'.repeat(40), ...values };
}

describe('start-up refuses a price or caps that would switch the caps off', () => {
  const cases: [values: Record<string, string>, says: RegExp][] = [
    [
      { SMS_SEGMENT_PRICE: '0' },
      /SMS_SEGMENT_PRICE: "0" would make every reply free.*e\.g\. 0\.16/,
    ],
    [{ SMS_SEGMENT_PRICE: '-0.16' }, /SMS_SEGMENT_PRICE: "-0\.16" is negative/],
    [{ BUDGET_DAILY: '0' }, /BUDGET_DAILY: "0" is not a cap.*e\.g\. 5/],
    [{ BUDGET_MONTHLY: '0' }, /BUDGET_MONTHLY: "0" is not a cap.*e\.g\. 50/],
    [
      { BUDGET_DAILY: '80', BUDGET_MONTHLY: '50' },
      /BUDGET_DAILY: 80 is above BUDGET_MONTHLY \(50\)/,
    ],
  ];
  for (const [values, says] of cases)
    it(`stops on ${Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`, async () => {
      assertStopped(await nonmerci(['migrate'], settings(values)), says);
    });
});

describe('start-up explains a bad DATABASE_URL without a stack trace', () => {
  it('stops on a PostgreSQL URL with an impossible port, without repeating the password', async () => {
    const outcome = await nonmerci(
      ['migrate'],
      settings({ DATABASE_URL: 'postgres://nonmerci:hunter2@127.0.0.1:99999/nonmerci' }),
    );
    assertStopped(outcome, /DATABASE_URL: .*postgres:\/\/USER:PASSWORD@HOST:5432\/DATABASE/);
    assert.doesNotMatch(outcome.stderr, /hunter2/);
  });

  it('stops on a PostgreSQL URL with a host that is not a name', async () => {
    assertStopped(
      await nonmerci(['migrate'], settings({ DATABASE_URL: 'postgres://%%%/nonmerci' })),
      /DATABASE_URL: the host of the PostgreSQL URL/,
    );
  });

  it('stops on a PostgreSQL server nobody answers on', async () => {
    assertStopped(
      await nonmerci(
        ['migrate'],
        settings({ DATABASE_URL: 'postgres://nonmerci:hunter2@127.0.0.1:1/nonmerci' }),
      ),
      /DATABASE_URL: cannot use the PostgreSQL database 127\.0\.0\.1:1\/nonmerci \(connect ECONNREFUSED[^)]*\); check/,
    );
  });

  it('stops on a PostgreSQL host name that does not resolve', async () => {
    assertStopped(
      await nonmerci(['serve'], settings({ DATABASE_URL: 'postgres://nonmerci@nohost.invalid/x' })),
      /DATABASE_URL: cannot use the PostgreSQL database nohost\.invalid:5432\/x \(getaddrinfo/,
    );
  });

  it(
    'stops on a PostgreSQL database that does not exist',
    {
      skip: DIALECTS.find((d) => d.name === 'postgres')!.skip,
    },
    async () => {
      const url = new URL(POSTGRES_URL);
      url.pathname = '/nonmerci_no_such_database';
      assertStopped(
        await nonmerci(['migrate'], settings({ DATABASE_URL: url.toString() })),
        /DATABASE_URL: .*"nonmerci_no_such_database" does not exist/,
      );
    },
  );

  it('stops on a SQLite path inside a file', async () => {
    const file = join(tempDir(), 'plain-file');
    writeFileSync(file, '');
    assertStopped(
      await nonmerci(['migrate'], settings({ DATABASE_URL: `sqlite://${file}/nonmerci.db` })),
      /DATABASE_URL: cannot open the SQLite database .*ENOTDIR/,
    );
  });

  it('refuses several processes on SQLite, and a number of processes that is not one', async () => {
    assertStopped(
      await nonmerci(['serve', '--processes', '3'], settings({ PORT: '0' })),
      /DATABASE_URL: --processes 3 shares one database between processes, which needs PostgreSQL/,
    );
    for (const bad of ['0', 'two', '1.5', '65'])
      assertStopped(
        await nonmerci(['serve', '--processes', bad], settings({ PORT: '0' })),
        /--processes takes a whole number from 1 to 64/,
      );
  });
});

describe('start-up explains a bad HOST or PORT without a stack trace', () => {
  for (const host of ['999.1.1.1', 'not a host'])
    it(`stops on HOST=${host}`, async () => {
      assertStopped(
        await nonmerci(['serve'], settings({ HOST: host, PORT: '0' })),
        /HOST: .* is not an address to listen on; write 127\.0\.0\.1/,
      );
    });

  it('stops on a HOST that is not an address of this machine', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): documentation only, never assigned to a machine.
    assertStopped(
      await nonmerci(['serve'], settings({ HOST: '192.0.2.1', PORT: '0' })),
      /HOST: cannot listen on 192\.0\.2\.1:0 \(not an address of this machine\); write 127\.0\.0\.1/,
    );
  });

  it('stops on a PORT already in use', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as { port: number };
    try {
      assertStopped(
        await nonmerci(['serve'], settings({ HOST: '127.0.0.1', PORT: String(port) })),
        new RegExp(`PORT: 127\\.0\\.0\\.1:${port} is already in use.*write another PORT`),
      );
    } finally {
      busy.close();
    }
  });
});

describe('start-up reads .env safely', () => {
  it('stops with one message when .env is a folder', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, '.env'));
    assertStopped(
      await nonmerci(['migrate'], settings(), cwd),
      /\.env is a folder.*copy \.env\.example/,
    );
  });

  it('keeps the first variable of a .env that starts with a UTF-8 byte-order mark', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), '\uFEFFNONMERCI_DATA_DIR=./from-dotenv\nLOG_LEVEL=warn\n');
    const outcome = await nonmerci(['migrate'], { NONMERCI_SECRET: 'x'.repeat(40) }, cwd);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /SQLite .*\/from-dotenv\/nonmerci\.db/);
  });

  it('still refuses a bad first variable behind a byte-order mark', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), '\uFEFFSMS_SEGMENT_PRICE=0\n');
    assertStopped(await nonmerci(['migrate'], settings(), cwd), /SMS_SEGMENT_PRICE: "0"/);
  });

  it('lets a variable set in the shell win over .env', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), 'SMS_SEGMENT_PRICE=0\n');
    const outcome = await nonmerci(['migrate'], settings({ SMS_SEGMENT_PRICE: '0.16' }), cwd);
    assert.equal(outcome.code, 0, outcome.stderr);
  });
});

describe('start-up refuses an unknown country', () => {
  it('stops on ALLOWED_COUNTRIES=XX', async () => {
    assertStopped(
      await nonmerci(['migrate'], settings({ ALLOWED_COUNTRIES: 'XX' })),
      /ALLOWED_COUNTRIES: "XX" is not a country.*e\.g\. FR,BE/,
    );
  });
});

describe('help on an unknown topic', () => {
  for (const topic of ['bogus', 'toString'])
    it(`"nonmerci help ${topic}" exits non-zero and names the known topics`, async () => {
      const outcome = await nonmerci(['help', topic], {});
      assertStopped(outcome, new RegExp(`no help on "${topic}".*serve.*settings`));
      assert.equal(outcome.stdout, '');
    });

  it('"nonmerci help settings" still prints the settings', async () => {
    const outcome = await nonmerci(['help', 'settings'], {});
    assert.equal(outcome.code, 0);
    assert.match(outcome.stdout, /SMS_SEGMENT_PRICE/);
  });

  it('"nonmerci toString" is an unknown command, not a silent success', async () => {
    const outcome = await nonmerci(['toString'], {});
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /Unknown command "toString"/);
  });
});
