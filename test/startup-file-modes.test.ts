import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { killAllChildren, startServer } from './support/server-process.ts';

/**
 * The real server, started on a data folder an operator created with the usual 0755: once it runs,
 * the folder is 0700 and the secret, the database and its -wal and -shm files are 0600.
 */
const dirs: string[] = [];
after(async () => {
  await killAllChildren();
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('nonmerci serve keeps its data folder private', () => {
  it('runs with the data folder 0700 and the secret, database, -wal and -shm files 0600', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'nonmerci-modes-')), 'data');
    dirs.push(join(dataDir, '..'));
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const { proc } = await startServer({ NONMERCI_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    try {
      const db = join(dataDir, 'nonmerci.db');
      assert.ok(existsSync(`${db}-wal`) && existsSync(`${db}-shm`), 'the server runs in WAL mode');
      assert.deepEqual(
        {
          folder: mode(dataDir),
          secret: mode(join(dataDir, 'secret')),
          database: mode(db),
          wal: mode(`${db}-wal`),
          shm: mode(`${db}-shm`),
        },
        { folder: '700', secret: '600', database: '600', wal: '600', shm: '600' },
      );
    } finally {
      await proc.stop('SIGTERM');
    }
  });
});
