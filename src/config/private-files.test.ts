import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../domain/errors.ts';
import { loadConfig } from './load.ts';

/** The generated secret decrypts every stored number: only the user running nonmerci may read it. */
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-private-'));
  dirs.push(dir);
  return dir;
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('the data folder and the generated secret are private', () => {
  it('creates the data folder 0700 and the secret 0600', () => {
    const dataDir = join(tempDir(), 'new', 'data');
    const config = loadConfig({ NONMERCI_DATA_DIR: dataDir });
    assert.equal(config.secretGeneratedAt, join(dataDir, 'secret'));
    assert.equal(mode(dataDir), '700');
    assert.equal(mode(join(dataDir, 'secret')), '600');
  });

  it('tightens a data folder that already exists with wider permissions', () => {
    const dataDir = join(tempDir(), 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    loadConfig({ NONMERCI_DATA_DIR: dataDir });
    assert.equal(mode(dataDir), '700');
  });

  it('tightens a secret file left readable by others', () => {
    const dataDir = tempDir();
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'secret'), `${'s'.repeat(48)}\n`, { mode: 0o644 });
    chmodSync(join(dataDir, 'secret'), 0o644);
    const config = loadConfig({ NONMERCI_DATA_DIR: dataDir });
    assert.equal(config.secret, 's'.repeat(48));
    assert.equal(mode(join(dataDir, 'secret')), '600');
    assert.equal(mode(dataDir), '700');
  });

  it('never widens: a read-only data folder stays read-only', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'secret'), `${'s'.repeat(48)}\n`, { mode: 0o400 });
    chmodSync(dataDir, 0o500);
    try {
      loadConfig({ NONMERCI_DATA_DIR: dataDir });
      assert.equal(mode(dataDir), '500');
      assert.equal(mode(join(dataDir, 'secret')), '400');
    } finally {
      chmodSync(dataDir, 0o700);
    }
  });

  it('refuses a data folder that is a file, naming NONMERCI_DATA_DIR', () => {
    const file = join(tempDir(), 'data');
    writeFileSync(file, '');
    assert.throws(
      () => loadConfig({ NONMERCI_DATA_DIR: file }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.details.variable === 'NONMERCI_DATA_DIR' &&
        /is a file, not a folder/.test(error.message),
    );
  });

  it('refuses a secret that is a folder, naming NONMERCI_SECRET', () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'secret'));
    assert.throws(
      () => loadConfig({ NONMERCI_DATA_DIR: dataDir }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.details.variable === 'NONMERCI_SECRET' &&
        /set NONMERCI_SECRET/.test(error.message),
    );
  });
});
