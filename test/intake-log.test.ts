import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { ManualClock } from '../src/domain/clock.ts';
import { assemble, type Hotline } from '../src/main.ts';
import { IntakeLogRepo, MAX_FAILURES } from '../src/storage/intake-log-repo.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { startHotline, testConfig, type TestHotline } from './support/hotline.ts';

const text = (sid: string, from: string, body = 'Allô ?') => ({
  kind: 'text' as const,
  from,
  to: '',
  providerSid: sid,
  body,
});

const count = async (h: Hotline, table: 'contacts' | 'intake_log' | 'replies' | 'evidence_log') =>
  Number(
    (
      await h.storage.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

for (const dialect of DIALECTS) {
  describe(`intake log and processor [${dialect.name}]`, { skip: dialect.skip }, () => {
    let db: TestDatabase;
    const open: Hotline[] = [];
    afterEach(async () => {
      for (const h of open.splice(0)) await h.close().catch(() => {});
      await db?.drop();
    });

    async function boot(): Promise<TestHotline> {
      db = await createTestDatabase(dialect.name);
      const h = await startHotline(testConfig(db.target));
      open.push(h);
      return h;
    }

    it('acknowledges once the event is in the log, then records it once, whatever the retries', async () => {
      const h = await boot();
      // Left to others: the event stays in the log until something records it.
      h.processor.leaveToOthers();
      const line = h.defaultLine.number;
      const first = await h.intake.accept('simulator', {
        ...text('SM1', '+33612345678'),
        to: line,
      });
      assert.equal(first.duplicate, false);
      assert.equal(await count(h, 'intake_log'), 1, 'durable before it is answered');
      assert.equal(await count(h, 'contacts'), 0);
      const retry = await h.intake.accept('simulator', {
        ...text('SM1', '+33612345678'),
        to: line,
      });
      assert.equal(retry.duplicate, true, 'a retry while the event waits is recognised');

      await h.processor.drain();
      assert.equal(await count(h, 'intake_log'), 0);
      assert.equal(await count(h, 'contacts'), 1);
      assert.equal(await count(h, 'replies'), 1);
      const late = await h.intake.accept('simulator', { ...text('SM1', '+33612345678'), to: line });
      assert.equal(late.duplicate, true, 'a retry after the event was recorded is recognised too');
      await h.processor.drain();
      assert.equal(await count(h, 'contacts'), 1);
    });

    it('reports a message that was recorded meanwhile as a duplicate, and records its batch', async () => {
      const h = await boot();
      h.processor.leaveToOthers();
      const line = h.defaultLine.number;
      await h.intake.accept('simulator', { ...text('SM1', '+33612345601'), to: line });
      await h.processor.drain();
      // A retry that raced its first delivery: in the log although its contact exists.
      const [recorded] = await h.storage.db.selectFrom('contacts').selectAll().execute();
      await h.storage.db
        .insertInto('intake_log')
        .values({
          provider: 'simulator',
          provider_sid: 'SM1',
          line_id: h.defaultLine.id,
          kind: 'text',
          received_at: h.clock.now(),
          caller_index: h.vault.blindIndex('+33612345601'),
          caller_enc: h.vault.encrypt('+33612345601'),
          caller_type: 'mobile',
          caller_country: 'FR',
          body: 'Allô ?',
        })
        .execute();
      await h.intake.accept('simulator', { ...text('SM2', '+33612345602'), to: line });
      const seen: string[] = [];
      h.processor.subscribe((e) => seen.push(`${e.contactId}:${e.duplicate}`));
      await h.processor.drain();
      assert.equal(await count(h, 'intake_log'), 0);
      assert.equal(await count(h, 'contacts'), 2);
      assert.equal(await count(h, 'replies'), 2);
      const newest = await h.storage.db
        .selectFrom('contacts')
        .select('id')
        .where('provider_sid', '=', 'SM2')
        .executeTakeFirstOrThrow();
      assert.deepEqual(seen.sort(), [`${recorded!.id}:true`, `${newest.id}:false`].sort());
    });

    it('tells subscribers what it recorded, in order, with the labels of each text', async () => {
      const h = await boot();
      const seen: string[] = [];
      h.processor.subscribe((e) => seen.push(`${e.kind}:${e.outcome}:${e.labels.join('+')}`));
      const line = h.defaultLine.number;
      await h.intake.receive('simulator', { ...text('SM1', '+33612345678', 'Allô ?'), to: line });
      await h.intake.receive('simulator', {
        ...text('SM2', '+33612345678', 'réponds connasse'),
        to: line,
      });
      assert.deepEqual(seen, ['text:reply_scheduled:', 'text:cooldown:insult']);
    });

    it('keeps an event it cannot record, tries it again, sets it aside after a few failures, and records the others', async () => {
      const h = await boot();
      h.processor.leaveToOthers();
      const line = h.defaultLine.number;
      await h.intake.accept('simulator', { ...text('SM1', '+33612345601'), to: line });
      // An event whose line no longer exists cannot be recorded.
      await h.storage.db
        .insertInto('intake_log')
        .values({
          provider: 'simulator',
          provider_sid: 'SM-orphan',
          line_id: 999_999,
          kind: 'text',
          received_at: h.clock.now(),
          caller_index: h.vault.blindIndex('+33612345602'),
          caller_enc: h.vault.encrypt('+33612345602'),
          caller_type: 'mobile',
          caller_country: 'FR',
          body: 'hello',
        })
        .execute();
      await h.intake.accept('simulator', { ...text('SM3', '+33612345603'), to: line });
      await h.processor.drain();
      assert.equal(await count(h, 'contacts'), 2, 'the others are recorded');
      const logRepo = new IntakeLogRepo(h.storage.db);
      assert.deepEqual(await logRepo.backlog().then((b) => [b.waiting, b.setAside]), [1, 0]);
      for (let i = 1; i < MAX_FAILURES; i++) await h.processor.drain();
      const [orphan] = await h.storage.db.selectFrom('intake_log').selectAll().execute();
      assert.equal(orphan?.failures, MAX_FAILURES);
      assert.match(orphan?.last_error ?? '', /line 999999/);
      assert.deepEqual(await logRepo.backlog().then((b) => [b.waiting, b.setAside]), [0, 1]);
    });

    it('records its batches without waiting for the disk, and leaves every other commit synced', async () => {
      const h = await boot();
      const line = h.defaultLine.number;
      for (let i = 0; i < 5; i++)
        await h.intake.receive('simulator', { ...text(`SM${i}`, `+3361234560${i}`), to: line });
      assert.equal(await count(h, 'contacts'), 5);
      // The log's appends, and everything else, still wait for the disk.
      if (h.storage.caps.unsyncedCommit === 'connection') {
        const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(
          h.storage.db,
        );
        assert.equal(rows[0]?.synchronous, 2, 'FULL again after each batch');
      } else {
        const { rows } = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(
          h.storage.db,
        );
        assert.equal(rows[0]?.synchronous_commit, 'on', 'set for the batch transaction only');
      }
    });

    it('records each event exactly once when several processes drain one log', async () => {
      const h = await boot();
      h.processor.leaveToOthers();
      // Two more processes on the same database.
      const others: Hotline[] = [];
      for (let i = 0; i < 2; i++) {
        const other = await assemble(h.config, {
          clock: new ManualClock(h.clock.now()),
          log: pino({ level: 'silent' }),
        });
        other.processor.leaveToOthers();
        open.push(other);
        others.push(other);
      }
      const line = h.defaultLine.number;
      const events = 300;
      const evidenceBefore = await count(h, 'evidence_log');
      await Promise.all(
        Array.from({ length: events }, (_, i) =>
          h.intake.accept('simulator', {
            ...text(`SM${i}`, `+336123${String(i % 120).padStart(5, '0')}`, `message ${i}`),
            to: line,
          }),
        ),
      );
      assert.equal(await count(h, 'intake_log'), events);
      if (h.storage.caps.multiProcess)
        await Promise.all([h, ...others].map((p) => p.processor.drain()));
      else {
        // One SQLite writer at a time (and in this test, one thread): the processes take turns.
        await others[0]!.processor.drain();
        await Promise.all([h, others[1]!].map((p) => p.processor.drain()));
      }
      assert.equal(await count(h, 'intake_log'), 0);
      assert.equal(await count(h, 'contacts'), events);
      assert.equal(await count(h, 'replies'), 120, 'one reply per caller');
      assert.equal(
        (await count(h, 'evidence_log')) - evidenceBefore,
        events,
        'one evidence entry per contact',
      );
      const recorded = [h, ...others].map((p) => p.processor.recorded);
      assert.equal(
        recorded.reduce((a, b) => a + b, 0),
        events,
      );
    });
  });
}
