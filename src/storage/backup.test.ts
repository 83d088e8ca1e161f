import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { BackupError, checkBackup, lastBackup, restoreBackup, writeBackup } from './backup.ts';
import { openStorage, type Storage } from './db.ts';
import { migrateToLatest, pendingMigrations } from './migrate.ts';

/** Values that trip naive formats: escapes, line breaks, non-BMP text, big integers, raw bytes. */
const TEXT = 'ligne 1\nligne 2\r\n"guillemets" \\ barre \u2028 séparateur 🚫 naïve \t tab';
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const BIGGEST = Number.MAX_SAFE_INTEGER;

async function seed(storage: Storage): Promise<void> {
  await migrateToLatest(storage);
  const [line] = await storage.db
    .insertInto('lines')
    .values({
      number: '+33939000001',
      provider: 'simulator',
      language: 'fr',
      voice_text: TEXT,
      voice_audio_url: null,
      reply_text: '',
      delay_ms: BIGGEST,
      cooldown_ms: -1,
      allowed_countries: 'FR,BE',
      created_at: 0,
      updated_at: BIGGEST - 1,
    })
    .returning('id')
    .execute();
  await storage.db
    .insertInto('voice_recordings')
    .values([
      {
        line_id: line!.id,
        token: 'all-bytes',
        content_type: 'audio/wav',
        data: ALL_BYTES,
        created_at: 1,
      },
      {
        line_id: line!.id,
        token: 'empty',
        content_type: 'audio/wav',
        data: Buffer.alloc(0),
        created_at: 2,
      },
    ])
    .execute();
  await storage.db
    .insertInto('audit_log')
    .values([
      { at: 1, actor: 'é', action: 'a', target: '', detail: null },
      { at: 2, actor: TEXT, action: 'b', target: null, detail: '{"x":[1,2]}' },
    ])
    .execute();
  await storage.db.insertInto('nonmerci_settings').values({ key: 'empty', value: '' }).execute();
}

const everything = async (storage: Storage) => ({
  lines: await storage.db.selectFrom('lines').selectAll().orderBy('id').execute(),
  voice: await storage.db.selectFrom('voice_recordings').selectAll().orderBy('id').execute(),
  audit: await storage.db.selectFrom('audit_log').selectAll().orderBy('id').execute(),
  settings: await storage.db.selectFrom('nonmerci_settings').selectAll().orderBy('key').execute(),
});

describe('backup archive', () => {
  let dir: string;
  const databases: TestDatabase[] = [];
  const storages: Storage[] = [];
  const open = async (name: 'sqlite' | 'postgres') => {
    const database = await createTestDatabase(name);
    databases.push(database);
    const storage = openStorage(database.target);
    storages.push(storage);
    return storage;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nonmerci-backup-unit-'));
  });
  after(async () => {
    for (const s of storages) await s.close().catch(() => {});
    for (const d of databases) await d.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const source of DIALECTS)
    for (const target of DIALECTS)
      it(
        `keeps every value exactly, ${source.name} to ${target.name}`,
        {
          skip: source.skip || target.skip,
        },
        async () => {
          const from = await open(source.name);
          await seed(from);
          const original = await everything(from);
          const file = join(dir, `${source.name}-${target.name}.backup`);
          await writeBackup(from, file);
          const to = await open(target.name);
          await restoreBackup(to, await checkBackup(file), { force: false, secretCheck: null });
          const restored = await everything(to);
          assert.deepEqual(restored, original);
          assert.deepEqual(restored.voice[0]!.data, ALL_BYTES);
          assert.equal(restored.voice[1]!.data.length, 0);
          assert.equal(restored.lines[0]!.delay_ms, BIGGEST);
        },
      );

  it('records the last backup, and reads none before the first or when the value is not its own', async () => {
    const storage = await open('sqlite');
    await seed(storage);
    assert.equal(await lastBackup(storage.db), null);
    const file = join(dir, 'recorded.backup');
    const before = Date.now();
    const { bytes } = await writeBackup(storage, file);
    const last = await lastBackup(storage.db);
    assert.deepEqual(last && { file: last.file, bytes: last.bytes }, { file, bytes });
    assert.equal(bytes, statSync(file).size);
    assert.ok(last!.at >= before && last!.at <= Date.now());
    await storage.db
      .updateTable('nonmerci_settings')
      .set({ value: 'not json' })
      .where('key', '=', 'last_backup')
      .execute();
    assert.equal(await lastBackup(storage.db), null);
  });

  it('replaces an existing file whole, private, and leaves no temporary file behind', async () => {
    const storage = await open('sqlite');
    await seed(storage);
    const folder = mkdtempSync(join(dir, 'atomic-'));
    const file = join(folder, 'nightly.backup');
    writeFileSync(file, 'an older backup', { mode: 0o644 });
    await writeBackup(storage, file);
    assert.deepEqual(readdirSync(folder), ['nightly.backup']);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal((await checkBackup(file)).header.tables.length > 0, true);
  });

  it('refuses a database without tables and a missing folder, writing nothing', async () => {
    const storage = await open('sqlite');
    const folder = mkdtempSync(join(dir, 'empty-'));
    await assert.rejects(
      writeBackup(storage, join(folder, 'x.backup')),
      (e: unknown) => e instanceof BackupError && /nothing to back up/.test(e.message),
    );
    assert.deepEqual(readdirSync(folder), []);
    assert.equal((await pendingMigrations(storage)).length > 0, true);
    await seed(storage);
    await assert.rejects(
      writeBackup(storage, join(folder, 'no', 'such', 'x.backup')),
      (e: unknown) => e instanceof BackupError && /does not exist/.test(e.message),
    );
    const tables = await sql<{ n: number }>`select count(*) as n from sqlite_master`.execute(
      storage.db,
    );
    assert.ok(Number(tables.rows[0]!.n) > 0);
  });
});
