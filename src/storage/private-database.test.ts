import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { ConfigError } from '../domain/errors.ts';
import { openStorage, type Storage } from './db.ts';
import { migrateToLatest } from './migrate.ts';

/**
 * The SQLite database holds what callers wrote and the evidence: the file, its -wal and -shm files
 * and the data folder are for the user running nonmerci only, whatever the umask, and also when an
 * older version left them readable by everyone.
 */
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-db-modes-'));
  dirs.push(dir);
  return dir;
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** Opens the database, writes to it and returns the storage still open (WAL and SHM present). */
async function openAndWrite(path: string, inDataDir: boolean): Promise<Storage> {
  const storage = openStorage({ kind: 'sqlite', path, inDataDir });
  await migrateToLatest(storage);
  return storage;
}

describe('the SQLite database is private to its owner', () => {
  it('creates the data folder 0700 and the database, -wal and -shm files 0600', async () => {
    const dataDir = join(tempDir(), 'data');
    const path = join(dataDir, 'nonmerci.db');
    const storage = await openAndWrite(path, true);
    try {
      assert.ok(existsSync(`${path}-wal`) && existsSync(`${path}-shm`), 'WAL mode files exist');
      assert.deepEqual(
        [mode(dataDir), mode(path), mode(`${path}-wal`), mode(`${path}-shm`)],
        ['700', '600', '600', '600'],
      );
    } finally {
      await storage.close();
    }
  });

  it('tightens a data folder and database files an older version left readable by all', async () => {
    const dataDir = tempDir();
    const path = join(dataDir, 'nonmerci.db');
    // What an older version left: a WAL database whose three files are 0644 in a 0755 folder.
    const old = new SQLite(path);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE t (x)');
    for (const file of [path, `${path}-wal`, `${path}-shm`]) chmodSync(file, 0o644);
    chmodSync(dataDir, 0o755);
    const storage = await openAndWrite(path, true);
    old.close();
    try {
      assert.deepEqual(
        [mode(dataDir), mode(path), mode(`${path}-wal`), mode(`${path}-shm`)],
        ['700', '600', '600', '600'],
      );
    } finally {
      await storage.close();
    }
  });

  it('makes a folder it creates for DATABASE_URL 0700, and leaves an existing one alone', async () => {
    const parent = tempDir();
    chmodSync(parent, 0o755);
    const created = join(parent, 'db');
    const first = await openAndWrite(join(created, 'a.db'), false);
    await first.close();
    assert.equal(mode(created), '700');
    assert.equal(mode(join(created, 'a.db')), '600');
    const second = await openAndWrite(join(parent, 'b.db'), false);
    await second.close();
    assert.equal(mode(parent), '755', "the operator's own folder keeps its permissions");
    assert.equal(mode(join(parent, 'b.db')), '600');
  });

  for (const [what, prepare, says] of [
    ['a folder', (p: string) => mkdirSync(p), /EISDIR/],
    ['not a database', (p: string) => writeFileSync(p, 'hello'), /not a database/],
  ] as const)
    it(`refuses a database path that is ${what} with a ConfigError naming the setting`, () => {
      const path = join(tempDir(), 'x.db');
      prepare(path);
      for (const [inDataDir, variable] of [
        [true, 'NONMERCI_DATA_DIR'],
        [false, 'DATABASE_URL'],
      ] as const)
        assert.throws(
          () => openStorage({ kind: 'sqlite', path, inDataDir }),
          (error: unknown) =>
            error instanceof ConfigError &&
            error.details.variable === variable &&
            error.message.includes(path) &&
            says.test(error.message),
        );
    });
});
