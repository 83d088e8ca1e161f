import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../domain/errors.ts';
import { loadConfig } from './load.ts';

/** Settings that used to pass the check and then failed later, with a stack trace or silently. */
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function env(values: Record<string, string>): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-startup-'));
  dirs.push(dir);
  return { NONMERCI_DATA_DIR: dir, NONMERCI_SECRET: 'x'.repeat(40), ...values };
}

function refusal(values: Record<string, string>, variable: string): string {
  let message = '';
  assert.throws(
    () => loadConfig(env(values)),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.equal(error.details.variable, variable);
      message = error.message;
      return true;
    },
  );
  return message;
}

describe('HOST must be an address the server can listen on', () => {
  for (const host of ['999.1.1.1', 'not a host', 'fe80::1%eth0', 'http://127.0.0.1', '-x'])
    it(`refuses HOST=${host}`, () => {
      assert.match(refusal({ HOST: host }, 'HOST'), /not an address to listen on.*127\.0\.0\.1/);
    });

  for (const host of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'hotline.example.org'])
    it(`accepts HOST=${host}`, () => {
      assert.equal(loadConfig(env({ HOST: host })).host, host);
    });
});

describe('ALLOWED_COUNTRIES must name countries whose numbers are known', () => {
  it('refuses ALLOWED_COUNTRIES=XX, naming the unknown code', () => {
    assert.match(
      refusal({ ALLOWED_COUNTRIES: 'XX' }, 'ALLOWED_COUNTRIES'),
      /"XX" is not a country.*FR,BE/,
    );
  });

  it('names every unknown code of a list', () => {
    assert.match(
      refusal({ ALLOWED_COUNTRIES: 'FR,ZZ,QQ' }, 'ALLOWED_COUNTRIES'),
      /"ZZ", "QQ" are not/,
    );
  });

  it('accepts known codes in any case', () => {
    assert.deepEqual(loadConfig(env({ ALLOWED_COUNTRIES: 'fr, be,GP' })).allowedCountries, [
      'FR',
      'BE',
      'GP',
    ]);
  });
});

describe('DATABASE_URL for PostgreSQL is checked before the driver sees it', () => {
  for (const url of [
    'postgres://nonmerci:hunter2-secret@db.example.org:99999/nonmerci',
    'postgres://nonmerci:hunter2-secret@%%%/nonmerci',
    'postgresql://nonmerci:hunter2-secret@bad host/nonmerci',
  ])
    it(`refuses ${url.replace('hunter2-secret', '…')} without repeating the password`, () => {
      const message = refusal({ DATABASE_URL: url }, 'DATABASE_URL');
      assert.match(message, /postgres:\/\/USER:PASSWORD@HOST:5432\/DATABASE/);
      assert.doesNotMatch(message, /hunter2/);
    });

  for (const url of [
    'postgres://nonmerci:pw@db.example.org:5432/nonmerci',
    'postgres://nonmerci@127.0.0.1/nonmerci',
    'postgres://nonmerci@[::1]:5432/nonmerci',
    'postgres:///nonmerci?host=/run/postgresql',
    'postgres://%2Frun%2Fpostgresql/nonmerci',
  ])
    it(`accepts ${url}`, () => {
      assert.deepEqual(loadConfig(env({ DATABASE_URL: url })).database, { kind: 'postgres', url });
    });
});
