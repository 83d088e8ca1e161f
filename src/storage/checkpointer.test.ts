import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openStorage } from './db.ts';

const folder = mkdtempSync(join(tmpdir(), 'nonmerci-checkpoint-'));
after(() => rmSync(folder, { recursive: true, force: true }));

async function until(what: string, test: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (test()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`${what} did not happen within 10 s`);
}

describe('WAL checkpoints on their own thread (SQLite)', () => {
  it('the writers never checkpoint; the thread moves their commits into the database file', async () => {
    const path = join(folder, 'thread.db');
    const storage = openStorage({ kind: 'sqlite', path, inDataDir: false });
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
      storage.db,
    );
    assert.equal(rows[0]?.wal_autocheckpoint, 0);
    await sql`create table notes (id integer primary key, text text not null)`.execute(storage.db);
    const emptySize = statSync(path).size;
    // Far more than the 1,000 pages after which a writer would checkpoint by itself.
    for (let i = 0; i < 300; i++)
      await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 20)
        insert into notes (text) select ${'x'.repeat(500)} from n`.execute(storage.db);
    await until('a checkpoint into the database file', () => statSync(path).size > 2_000_000);
    assert.ok(statSync(path).size > emptySize);
    await storage.close();
    // The last connection out checkpoints what is left and removes the WAL.
    assert.equal(existsSync(`${path}-wal`), false);
    const reader = new SQLite(path, { readonly: true });
    const count = reader.prepare('select count(*) as n from notes').get() as { n: number };
    reader.close();
    assert.equal(count.n, 6000);
  });

  it('without the thread, the writers checkpoint as SQLite does by default', async () => {
    const path = join(folder, 'inline.db');
    const storage = openStorage(
      { kind: 'sqlite', path, inDataDir: false },
      { checkpointThread: false },
    );
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
      storage.db,
    );
    assert.equal(rows[0]?.wal_autocheckpoint, 1000);
    await storage.close();
  });
});
