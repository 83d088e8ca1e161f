import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pino from 'pino';
import { ManualClock } from '../src/domain/clock.ts';
import { assemble, type Hotline } from '../src/main.ts';
import { rotateNumberKeys } from '../src/privacy/key-rotation.ts';
import { NumberVault } from '../src/privacy/number-vault.ts';
import {
  BackupError,
  checkBackup,
  lastBackup,
  restoreBackup,
  writeBackup,
  type BackupHeader,
} from '../src/storage/backup.ts';
import { openStorage, type Storage } from '../src/storage/db.ts';
import { knownMigrations, migrateUpTo, pendingMigrations } from '../src/storage/migrate.ts';
import { NumberKeysRepo } from '../src/storage/number-keys-repo.ts';
import { RepliesRepo } from '../src/storage/replies-repo.ts';
import type { Database } from '../src/storage/schema.ts';
import { VoiceRecordingsRepo } from '../src/storage/voice-recordings-repo.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import {
  LINE,
  TEST_SECRET,
  startHotline,
  testConfig,
  type TestHotline,
} from './support/hotline.ts';
import { BIN } from './support/server-process.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LEASE = 5 * MINUTE;
const PASSWORD = 'correct horse battery staple';
const THREAT = 'je sais où tu habites, je vais te retrouver';
const SECRET_CHECK = new NumberVault(TEST_SECRET).blindIndex('nonmerci secret check');
const RESTORE = { force: false, secretCheck: SECRET_CHECK };

/** Every table of the schema: a backup holds them all. */
const TABLES: (keyof Database)[] = [
  'lines',
  'callers',
  'contacts',
  'replies',
  'budget_periods',
  'sim_messages',
  'nonmerci_settings',
  'rules',
  'audit_log',
  'shield_periods',
  'alerts',
  'users',
  'sessions',
  'voice_recordings',
  'evidence_log',
  'evidence_heads',
  'evidence_chain',
  'evidence_holds',
  'number_keys',
  'intake_log',
];

let sid = 0;
const contact = (h: Hotline, from: string, body: string | null = null, to = LINE) =>
  h.intake.receive('simulator', {
    kind: body === null ? 'call' : 'text',
    from,
    to,
    providerSid: `SIM${String(++sid).padStart(16, '0')}`,
    body,
  });
const caller = (i: number) => `+336399${String(80000 + i).padStart(5, '0')}`;

/**
 * A hotline with some of everything: accounts and a session, rules (one removed: its id must never
 * come back), a recording, calls and texts (an insult, a threat and its alert), replies sent by the
 * simulator, a shield period, an evidence hold, a key rotation, replies still pending and one of
 * them claimed by a worker whose lease still runs, and a text still waiting in the intake log.
 * Returns the claimed reply's id.
 */
async function populate(h: TestHotline): Promise<number> {
  const started = h.clock.now();
  await h.accounts.ensureAdmin(PASSWORD);
  await h.accounts.create('admin', 'camille', PASSWORD, 'moderator');
  await h.accounts.login('camille', PASSWORD, '192.0.2.10');
  await h.rules.add({ kind: 'keyword', value: 'promo', note: 'spam' }, 'alice', h.clock.now());
  const removed = await h.rules.add(
    { kind: 'keyword', value: 'concours', note: null },
    'alice',
    h.clock.now(),
  );
  await h.rules.remove(removed.id, 'alice', h.clock.now());
  await new VoiceRecordingsRepo(h.storage.db).replace(
    h.defaultLine.id,
    {
      token: 'voice-token-1',
      contentType: 'audio/mpeg',
      data: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256)),
      url: 'https://hotline.example.org/media/voice/voice-token-1',
    },
    'alice',
    h.clock.now(),
  );
  for (let i = 0; i < 12; i++) await contact(h, caller(i), i % 3 === 0 ? 'sale connasse' : null);
  await contact(h, caller(12), THREAT);
  h.clock.advance(2 * HOUR);
  await h.worker.drain();
  await h.shield.setMode(h.defaultLine.id, 'on', 'alice', h.clock.now());
  await h.shieldMonitor.tick();
  h.clock.advance(10 * MINUTE);
  await h.shield.setMode(h.defaultLine.id, 'off', 'alice', h.clock.now());
  await h.shieldMonitor.tick();
  await h.shield.setMode(h.defaultLine.id, 'auto', 'alice', h.clock.now());
  await h.holds.hold({
    kind: 'flagged',
    from: started,
    to: h.clock.now(),
    lineId: null,
    note: 'raid du soir',
    actor: 'alice',
    now: h.clock.now(),
  });
  await rotateNumberKeys({
    store: new NumberKeysRepo(h.storage.db),
    vault: h.vault,
    clock: h.clock,
    actor: 'alice',
    sleep: async (ms) => {
      h.clock.advance(ms);
      await h.vault.reload();
    },
  });
  for (let i = 20; i < 26; i++) await contact(h, caller(i), i === 21 ? 'tu réponds ?' : null);
  await h.journal.seal(h.clock.now(), { forceHead: true });
  await contact(h, caller(26));
  h.clock.advance(HOUR + MINUTE);
  const [claimed] = await new RepliesRepo(h.storage.db, h.storage.caps).claimDue(
    h.clock.now(),
    1,
    'worker-before-the-backup',
    LEASE,
  );
  assert.ok(claimed, 'a reply is claimed in the source');
  // A text acknowledged but not recorded yet: the backup carries it, and the restored hotline
  // records it.
  h.processor.leaveToOthers();
  // A pass already under way ends first: from here on, nothing records in this process.
  await h.processor.drain();
  await h.intake.accept('simulator', {
    kind: 'text',
    from: caller(27),
    to: LINE,
    providerSid: 'SIM-waiting-in-the-log',
    body: 'allô ?',
  });
  return claimed.id;
}

type Rows = Record<string, Record<string, unknown>[]>;

/** Every row of every table, in a stable order. */
async function contents(db: Kysely<Database>): Promise<Rows> {
  const all: Rows = {};
  for (const table of TABLES) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      db,
    );
    const key = (row: Record<string, unknown>) => Object.values(row)[0] as number | string;
    all[table] = rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return all;
}

/** As a restore leaves them: leases of claimed replies expired, claims of alerts released. */
function withLeasesReleased(rows: Rows): Rows {
  return {
    ...rows,
    replies: rows.replies!.map((r) => (r.state === 'sending' ? { ...r, lease_until: 0 } : r)),
    alerts: rows.alerts!.map((a) => ({ ...a, claimed_until: null })),
  };
}

/** Replies still to be decided or sent, with what decides when they go. */
const pendingReplies = (replies: Record<string, unknown>[]) =>
  replies
    .filter((r) => r.state === 'scheduled' || r.state === 'sending')
    .map((r) => ({
      id: Number(r.id),
      state: r.state,
      due_at: r.due_at,
      next_attempt_at: r.next_attempt_at,
      expires_at: r.expires_at,
      idempotency_key: r.idempotency_key,
    }));

/** The hotline a restored database gives, as a command opens it: it creates or changes no line. */
const openHotline = (database: TestDatabase, clock: ManualClock) =>
  assemble(testConfig(database.target), { clock, log: pino({ level: 'silent' }), lines: 'leave' });

const dir = mkdtempSync(join(tmpdir(), 'nonmerci-backup-'));
const databases: TestDatabase[] = [];
async function database(name: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const created = await createTestDatabase(name);
  databases.push(created);
  return created;
}
after(async () => {
  for (const d of databases) await d.drop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

for (const source of DIALECTS) {
  describe(`backup of a ${source.name} hotline`, { skip: source.skip }, () => {
    let h: TestHotline;
    let claimedId: number;
    let file: string;
    let original: Rows;
    let written: Awaited<ReturnType<typeof writeBackup>>;

    before(async () => {
      h = await startHotline(testConfig((await database(source.name)).target));
      claimedId = await populate(h);
      original = await contents(h.storage.db);
      file = join(dir, `${source.name}.backup`);
      written = await writeBackup(h.storage, file);
    });
    after(() => h?.close());

    it('is one private file whose header lists every table, its rows and migrations, and is recorded as the last backup', async () => {
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const { header } = await checkBackup(file);
      assert.equal(header.sourceDialect, source.name);
      assert.deepEqual(header.tables.map((t) => t.name).sort(), [...TABLES].sort());
      for (const table of TABLES)
        assert.equal(
          header.tables.find((t) => t.name === table)!.rows,
          original[table]!.length,
          table,
        );
      assert.deepEqual(header.migrations, await applied(h.storage));
      assert.ok(header.tables.find((t) => t.name === 'contacts')!.rows >= 20);
      const empty = TABLES.filter((t) => original[t]!.length === 0);
      assert.deepEqual(empty, [], 'the hotline has rows in every table');
      const raw = gunzipSync(readFileSync(file)).toString('utf8');
      const content = raw.slice(raw.indexOf('\n') + 1);
      assert.equal(createHash('sha256').update(content).digest('hex'), header.sha256);
      assert.ok(!raw.includes(TEST_SECRET), 'the master secret is not in the backup');
      const last = await lastBackup(h.storage.db);
      assert.deepEqual(last && { file: last.file, bytes: last.bytes }, {
        file,
        bytes: statSync(file).size,
      });
      assert.equal(written.bytes, statSync(file).size);
    });

    for (const target of DIALECTS)
      it(
        `restores into ${target.name} exactly: pending replies claimable once, ids never reused, the evidence chain intact`,
        {
          skip: target.skip,
        },
        async () => {
          const restoredDb = await database(target.name);
          const storage = openStorage(restoredDb.target);
          let result;
          try {
            result = await restoreBackup(storage, await checkBackup(file), RESTORE);
          } finally {
            await storage.close();
          }
          assert.equal(result.leasesReleased, 1);
          assert.equal(result.rows, Object.values(original).flat().length);
          const clock = new ManualClock(h.clock.now());
          const restored = await openHotline(restoredDb, clock);
          try {
            const rows = await contents(restored.storage.db);
            assert.deepEqual(rows, withLeasesReleased(original));
            const pending = pendingReplies(rows.replies!);
            assert.deepEqual(pending, pendingReplies(original.replies!));
            assert.ok(pending.some((r) => r.id === claimedId && r.state === 'sending'));
            assert.ok(pending.length >= 5);
            assert.equal(result.pendingReplies, pending.length);

            // The evidence chain verifies, to the same head as the original's.
            const [here, there] = [await restored.evidence.verify(), await h.evidence.verify()];
            assert.ok(here.intact && there.intact, JSON.stringify([here, there]));
            assert.deepEqual(
              [here.count, here.headSeq, here.head, here.erased],
              [there.count, there.headSeq, there.head, there.erased],
            );

            // Every pending reply is claimed exactly once, the one a worker held in the source too,
            // whose lease still runs there.
            const held = original.replies!.find((r) => Number(r.id) === claimedId)!;
            assert.ok(Number(held.lease_until) > clock.now());
            const repo = new RepliesRepo(restored.storage.db, restored.storage.caps);
            const later = clock.now() + 2 * HOUR;
            const claimed = await repo.claimDue(later, 1000, 'worker-after-restore', LEASE);
            assert.deepEqual(
              claimed.map((r) => r.id).sort((a, b) => a - b),
              pending.map((r) => r.id),
            );
            assert.deepEqual(await repo.claimDue(later, 1000, 'another-worker', LEASE), []);

            // New rows get new ids: past the restored ones, and past the removed rule's.
            const maxRule = Math.max(...original.rules!.map((r) => Number(r.id)));
            const rule = await restored.rules.add(
              { kind: 'keyword', value: 'gagnant', note: null },
              'bob',
              clock.now(),
            );
            assert.equal(rule.id, maxRule + 2);
            await contact(restored, caller(40), 'encore moi');
            const newest = await restored.storage.db
              .selectFrom('contacts')
              .select((eb) => eb.fn.max('id').as('id'))
              .executeTakeFirstOrThrow();
            // The text that waited in the intake log is recorded first, then this one.
            assert.equal(
              Number(newest.id),
              Math.max(...original.contacts!.map((c) => Number(c.id))) + 2,
            );
            const waiting = await restored.storage.db
              .selectFrom('contacts')
              .select('body')
              .where('provider_sid', '=', 'SIM-waiting-in-the-log')
              .execute();
            assert.deepEqual(waiting, [{ body: 'allô ?' }]);
            const verdict = await restored.evidence.verify();
            assert.equal(verdict.intact, true, JSON.stringify(verdict));
          } finally {
            await restored.close();
          }
        },
      );

    it('refuses a database that holds data, unless --force, which leaves exactly the backup', async () => {
      const targetDb = await database(source.name);
      const number = '+33939000099';
      const other = await startHotline(
        testConfig(targetDb.target, { hotline: { number, language: 'en', provider: 'simulator' } }),
      );
      try {
        await contact(other, caller(90), 'another hotline', number);
      } finally {
        await other.close();
      }
      const storage = openStorage(targetDb.target);
      try {
        const before = await contents(storage.db);
        const checked = await checkBackup(file);
        await assert.rejects(
          restoreBackup(storage, checked, RESTORE),
          (e: unknown) =>
            e instanceof BackupError &&
            e.code === 'backup_not_empty' &&
            /holds data already \(lines: 1, callers: 1, contacts: 1,.*--force/.test(e.message),
        );
        assert.deepEqual(await contents(storage.db), before);
        const result = await restoreBackup(storage, checked, { ...RESTORE, force: true });
        assert.ok(result.replaced > 0);
        assert.deepEqual(await contents(storage.db), withLeasesReleased(original));
      } finally {
        await storage.close();
      }
    });

    it('refuses a damaged, cut, altered or foreign file, or one made with another secret, and changes nothing', async () => {
      const bytes = readFileSync(file);
      const [head, ...rest] = gunzipSync(bytes).toString('utf8').split('\n');
      const header = JSON.parse(head!) as BackupHeader;
      const build = (h: object, rows: string) =>
        Buffer.concat([gzipSync(`${JSON.stringify(h)}\n`), gzipSync(rows)]);
      const flipped = Buffer.from(bytes);
      flipped[Math.floor(bytes.length * 0.7)]! ^= 0x55;
      const contacts = header.tables.find((t) => t.name === 'contacts')!;
      const cases: [string, Buffer | string, RegExp][] = [
        ['flipped', flipped, /damaged/],
        ['cut', bytes.subarray(0, Math.floor(bytes.length / 2)), /damaged or incomplete/],
        ['header only', gzipSync(`${head}\n`), /holds 0 tables where its header says 20/],
        [
          'altered',
          build(header, rest.join('\n').replace('"sale connasse"', '"bonne soirée!"')),
          /does not match its SHA-256/,
        ],
        [
          'counts altered',
          build(
            {
              ...header,
              tables: header.tables.map((t) => (t === contacts ? { ...t, rows: t.rows + 1 } : t)),
            },
            rest.join('\n'),
          ),
          /holds \d+ rows of contacts where its header says \d+/,
        ],
        ['foreign', 'hello\n', /not a nonmerci backup \(not a gzip file\)/],
        ['not ours', gzipSync('{"format":"something-else"}\n'), /not a nonmerci backup/],
        [
          'newer format',
          build({ ...header, version: 2 }, rest.join('\n')),
          /written by a newer nonmerci \(backup format 2\)/,
        ],
      ];
      const targetDb = await database(source.name);
      const storage = openStorage(targetDb.target);
      try {
        for (const [name, data, says] of cases) {
          const bad = join(dir, `${source.name}-${name}.backup`);
          writeFileSync(bad, data);
          await assert.rejects(
            checkBackup(bad).then((checked) => restoreBackup(storage, checked, RESTORE)),
            (e: unknown) => e instanceof BackupError && says.test(e.message),
            name,
          );
        }
        await assert.rejects(checkBackup(join(dir, 'missing.backup')), /There is no file/);
        const checked = await checkBackup(file);
        const newer = {
          ...checked,
          header: { ...header, migrations: [...header.migrations, '999-future'] },
        };
        await assert.rejects(
          restoreBackup(storage, newer, RESTORE),
          /comes from a newer nonmerci \(its database has the migration 999-future/,
        );
        await assert.rejects(
          restoreBackup(storage, checked, { ...RESTORE, secretCheck: 'another secret' }),
          /another NONMERCI_SECRET/,
        );
        // Nothing was created: every migration is still pending.
        assert.equal((await pendingMigrations(storage)).length, header.migrations.length);
      } finally {
        await storage.close();
      }
    });
  });
}

async function applied(storage: Storage): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select name from nonmerci_migrations order by name`.execute(storage.db);
  return rows.map((r) => r.name);
}

for (const dialect of DIALECTS) {
  describe(`backup while the ${dialect.name} hotline takes calls`, { skip: dialect.skip }, () => {
    it('is one consistent snapshot: counts match, every contact is counted by its caller, the chain verifies', async () => {
      const sourceDb = await database(dialect.name);
      const h = await startHotline(testConfig(sourceDb.target));
      // The backup runs on its own connection, as the command does.
      const storage = openStorage(sourceDb.target);
      let stop = false;
      let taken = 0;
      const traffic = (async () => {
        while (!stop) {
          await contact(h, caller(taken % 500), taken % 4 === 0 ? 'sale connasse' : null);
          taken++;
          if (taken % 50 === 0) await h.journal.seal(h.clock.now());
        }
      })();
      try {
        while (taken < 100) await new Promise((resolve) => setTimeout(resolve, 5));
        const file = join(dir, `${dialect.name}-busy.backup`);
        const before = taken;
        await writeBackup(storage, file);
        const during = taken - before;
        stop = true;
        await traffic;
        const { header } = await checkBackup(file);
        const contacts = header.tables.find((t) => t.name === 'contacts')!.rows;
        assert.ok(contacts >= before && contacts <= taken, `${before} ≤ ${contacts} ≤ ${taken}`);
        assert.ok(during > 0, 'calls came in during the backup');

        const restoredDb = await database(dialect.name);
        const target = openStorage(restoredDb.target);
        await restoreBackup(target, await checkBackup(file), RESTORE).finally(() => target.close());
        const restored = await openHotline(restoredDb, new ManualClock(h.clock.now()));
        try {
          const db = restored.storage.db;
          const counted = await db
            .selectFrom('callers')
            .select((eb) => eb.fn.sum<number>('contact_count').as('n'))
            .executeTakeFirstOrThrow();
          assert.equal(Number(counted.n), contacts);
          const evidence = await db
            .selectFrom('evidence_log')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('kind', 'in', ['call', 'text'])
            .executeTakeFirstOrThrow();
          assert.equal(Number(evidence.n), contacts);
          const verdict = await restored.evidence.verify();
          assert.equal(verdict.intact, true, JSON.stringify(verdict));
        } finally {
          await restored.close();
        }
      } finally {
        stop = true;
        await traffic;
        await storage.close();
        await h.close();
      }
    });
  });
}

describe('a backup from an older version', () => {
  for (const target of DIALECTS)
    it(
      `loads into the tables of its version, then ${target.name} is brought up to date`,
      {
        skip: target.skip,
      },
      async () => {
        const oldDb = await database('sqlite');
        const old = openStorage(oldDb.target);
        const file = join(dir, `older-${target.name}.backup`);
        try {
          await migrateUpTo(old, '006-number-keys');
          const [line] = await old.db
            .insertInto('lines')
            .values({
              number: LINE,
              provider: 'simulator',
              language: 'fr',
              voice_text: 'Bonjour',
              voice_audio_url: null,
              reply_text: 'Non merci.',
              delay_ms: HOUR,
              cooldown_ms: 90 * 24 * HOUR,
              allowed_countries: 'FR',
              created_at: 1,
              updated_at: 1,
            })
            .returning('id')
            .execute();
          await sql`insert into shield_periods (line_id, started_at, trigger) values (${line!.id}, 5, 'operator')`.execute(
            old.db,
          );
          await writeBackup(old, file);
        } finally {
          await old.close();
        }
        const { header } = await checkBackup(file);
        assert.equal(header.migrations.at(-1), '006-number-keys');
        const restoredDb = await database(target.name);
        const storage = openStorage(restoredDb.target);
        try {
          const result = await restoreBackup(storage, await checkBackup(file), RESTORE);
          // Every migration after the backup's version, whatever the latest one is.
          const newer = knownMigrations(storage).filter((m) => m > '006-number-keys');
          assert.ok(newer.includes('007-shield-reasons'));
          assert.deepEqual(result.migratedAfter, newer);
          assert.deepEqual(await pendingMigrations(storage), []);
          const periods = await storage.db.selectFrom('shield_periods').selectAll().execute();
          assert.deepEqual(
            periods.map((p) => [p.started_at, p.trigger, p.reason]),
            [[5, 'operator', null]],
          );
        } finally {
          await storage.close();
        }
      },
    );
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `nonmerci` command with only `env` (and PATH, HOME). */
function nonmerci(args: string[], env: Record<string, string>): Promise<Outcome> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const report = (o: Outcome) => `exit ${o.code}\nstdout:\n${o.stdout}\nstderr:\n${o.stderr}`;

describe('nonmerci backup, restore and migrate --check (the real command)', () => {
  const env = (database: TestDatabase) => ({
    DATABASE_URL:
      database.target.kind === 'sqlite' ? `sqlite://${database.target.path}` : database.target.url,
    NONMERCI_SECRET: TEST_SECRET,
    NONMERCI_DATA_DIR: join(dir, 'data'),
    HOTLINE_NUMBER: LINE,
  });

  it('migrate --check: exit 1 listing what is pending on a new database, 0 once up to date', async () => {
    const fresh = await database('sqlite');
    const pending = await nonmerci(['migrate', '--check'], env(fresh));
    assert.equal(pending.code, 1, report(pending));
    assert.match(
      pending.stdout,
      /\d+ migrations are pending on SQLite .*: 001-core, .*\d{3}-[a-z-]+\. Run "nonmerci migrate"/,
    );
    const storage = openStorage(fresh.target);
    try {
      assert.ok(
        (await pendingMigrations(storage)).includes('001-core'),
        'checking applied nothing',
      );
    } finally {
      await storage.close();
    }
    assert.equal((await nonmerci(['migrate'], env(fresh))).code, 0);
    const upToDate = await nonmerci(['migrate', '--check'], env(fresh));
    assert.equal(upToDate.code, 0, report(upToDate));
    assert.match(upToDate.stdout, /is up to date: no migration is pending/);

    const later = openStorage(fresh.target);
    try {
      await sql`insert into nonmerci_migrations (name, timestamp) values ('999-future', '2030-01-01')`.execute(
        later.db,
      );
    } finally {
      await later.close();
    }
    const newer = await nonmerci(['migrate', '--check'], env(fresh));
    assert.equal(newer.code, 1, report(newer));
    assert.match(
      newer.stderr,
      /^nonmerci: SQLite .* was updated by a newer nonmerci \(999-future\)/,
    );
  });

  describe('a SQLite hotline taking calls, backed up by the command', () => {
    const file = join(dir, 'cli.backup');
    let backup: Outcome;

    before(async () => {
      const sourceDb = await database('sqlite');
      const h = await startHotline(testConfig(sourceDb.target));
      let stop = false;
      let taken = 0;
      const traffic = (async () => {
        while (!stop) {
          await contact(h, caller(taken % 200), taken % 5 === 0 ? 'sale connasse' : null);
          if (++taken % 40 === 0) await h.journal.seal(h.clock.now());
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      try {
        while (taken < 30) await new Promise((resolve) => setTimeout(resolve, 5));
        backup = await nonmerci(['backup', file], env(sourceDb));
      } finally {
        stop = true;
        await traffic;
        await h.close();
      }
    });

    it('writes a private, consistent file and says where to keep the secret', async () => {
      assert.equal(backup.code, 0, report(backup));
      assert.match(backup.stdout, new RegExp(`Wrote ${file} \\(.*readable by you only\\)`));
      assert.match(backup.stdout, /does not hold the master secret.*setting NONMERCI_SECRET/);
      assert.match(backup.stdout, /without the secret every backup is useless/);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const { header } = await checkBackup(file);
      assert.ok(header.tables.find((t) => t.name === 'contacts')!.rows >= 30);
    });

    it('restores into SQLite; refuses again without --force, a damaged file and another secret, with one message each', async () => {
      const targetDb = await database('sqlite');
      const restore = await nonmerci(['restore', file], env(targetDb));
      assert.equal(restore.code, 0, report(restore));
      assert.match(restore.stdout, /is intact: SQLite backup of/);
      assert.match(restore.stdout, /Restored \d+ rows into SQLite /);
      assert.match(restore.stdout, /✓ The evidence chain is intact: \d+ entries/);

      const again = await nonmerci(['restore', file], env(targetDb));
      assert.equal(again.code, 1, report(again));
      assert.match(again.stderr, /^nonmerci: The database holds data already \(.*add --force/);
      const forced = await nonmerci(['restore', file, '--force'], env(targetDb));
      assert.equal(forced.code, 0, report(forced));
      assert.match(forced.stdout, /--force: the \d+ rows it held were removed first/);

      const cut = join(dir, 'cli-cut.backup');
      writeFileSync(cut, readFileSync(file).subarray(0, 600));
      const damaged = await nonmerci(['restore', cut, '--force'], env(targetDb));
      assert.equal(damaged.code, 1, report(damaged));
      assert.match(
        damaged.stderr,
        /^nonmerci: .*cut.backup cannot be restored: .*Nothing was changed/,
      );
      assert.doesNotMatch(damaged.stderr, /^\s+at /m);

      const wrongSecret = await nonmerci(['restore', file, '--force'], {
        ...env(targetDb),
        NONMERCI_SECRET: 'another-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
      });
      assert.equal(wrongSecret.code, 1, report(wrongSecret));
      assert.match(wrongSecret.stderr, /^nonmerci: .*another NONMERCI_SECRET/);
    });

    it(
      'restores into PostgreSQL: the way to outgrow one machine',
      { skip: DIALECTS[1]!.skip },
      async () => {
        const targetDb = await database('postgres');
        const restore = await nonmerci(['restore', file], env(targetDb));
        assert.equal(restore.code, 0, report(restore));
        assert.match(restore.stdout, /Restored \d+ rows into PostgreSQL /);
        assert.match(restore.stdout, /✓ The evidence chain is intact: \d+ entries/);
      },
    );
  });
});
