import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openStorage } from './db.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Another process writing one row into the same file, as a command run beside the server does. */
function writeFromAnotherProcess(path: string): Promise<{ code: number | null; stderr: string }> {
  const script = `
    const SQLite = require('better-sqlite3');
    const db = new SQLite(${JSON.stringify(path)});
    db.pragma('busy_timeout = 5000');
    db.prepare("insert into t (x) values ('other process')").run();
    db.close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('SQLite transactions beside another process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-tx-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('read then write without failing when another process commits meanwhile, which waits its turn', async () => {
    const path = join(dir, 'shared.db');
    const storage = openStorage({ kind: 'sqlite', path });
    try {
      await sql`create table t (x text)`.execute(storage.db);
      let other: Promise<{ code: number | null; stderr: string }> | null = null;
      await storage.db.transaction().execute(async (tx) => {
        const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(tx);
        assert.equal(rows[0]?.n, 0);
        // Another process commits while this transaction is between its read and its write.
        other = writeFromAnotherProcess(path);
        await new Promise((resolve) => setTimeout(resolve, 400));
        await sql`insert into t (x) values ('this process')`.execute(tx);
      });
      const { code, stderr } = await other!;
      assert.equal(code, 0, stderr);
      const { rows } = await sql<{ x: string }>`select x from t order by rowid`.execute(storage.db);
      assert.deepEqual(
        rows.map((r) => r.x),
        ['this process', 'other process'],
      );
    } finally {
      await storage.close();
    }
  });
});
