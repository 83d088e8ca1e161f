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

    it('takes in and records bursts of any size, retries within the burst included', async () => {
      const h = await boot();
      h.processor.leaveToOthers();
      const line = h.defaultLine.number;
      const from = (i: number) => `+336123${String(i % 120).padStart(5, '0')}`;
      // 301 texts at once from 120 callers (batches and runs of many sizes), 23 of them twice.
      const sends = [];
      for (let i = 0; i < 301; i++)
        sends.push(h.intake.accept('simulator', { ...text(`SM${i}`, from(i)), to: line }));
      for (let i = 0; i < 23; i++)
        sends.push(
          h.intake.accept('simulator', { ...text(`SM${i * 13}`, from(i * 13)), to: line }),
        );
      const accepted = await Promise.all(sends);
      assert.equal(accepted.filter((a) => !a.duplicate).length, 301);
      assert.deepEqual(
        accepted.slice(301).map((a) => a.duplicate),
        Array<boolean>(23).fill(true),
      );
      const ids = accepted.slice(0, 301).map((a) => a.logId);
      assert.equal(new Set(ids).size, 301, 'each event has its own place in the log');
      assert.equal(await count(h, 'intake_log'), 301);

      await h.processor.drain();
      assert.equal(await count(h, 'intake_log'), 0);
      assert.equal(await count(h, 'contacts'), 301);
      assert.equal(await count(h, 'replies'), 120, 'one reply per caller');
      const callers = await h.storage.db.selectFrom('callers').select(['contact_count']).execute();
      assert.equal(callers.length, 120);
      assert.equal(
        callers.reduce((sum, c) => sum + Number(c.contact_count), 0),
        301,
      );
      await h.journal.seal(h.clock.now());
      const verdict = await h.evidence.verify();
      assert.equal(verdict.intact, true, JSON.stringify(verdict));
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

    it('decides the events of one batch as if they had come one by one', async () => {
      const h = await boot();
      h.processor.leaveToOthers();
      const line = h.defaultLine.number;
      const [a, c, d, e] = ['+33612340001', '+33612340003', '+33612340004', '+33612340005'];
      // Before the batch: c has a reply within the cooldown; d's reply expired unsent, which
      // frees his cooldown.
      await h.intake.accept('simulator', { ...text('SM-c0', c), to: line });
      await h.intake.accept('simulator', { ...text('SM-d0', d), to: line });
      await h.processor.drain();
      const earlier = new Map(
        (
          await h.storage.db.selectFrom('contacts').select(['provider_sid', 'reply_id']).execute()
        ).map((r) => [r.provider_sid, r.reply_id]),
      );
      await h.storage.db
        .updateTable('replies')
        .set({ state: 'expired', reason: 'expired' })
        .where('id', '=', earlier.get('SM-d0')!)
        .execute();

      // One batch, in an order where a caller's texts are mixed with others'.
      const batch: Array<[sid: string, from: string, body: string]> = [
        ['SM-a1', a, 'Allô ?'],
        ['SM-c1', c, 'tu es qui ?'],
        ['SM-a2', a, 'réponds connasse'],
        ['SM-e1', e, 'STOP'],
        ['SM-d1', d, 'encore moi'],
        ['SM-a3', a, 'STOP'],
        ['SM-a4', a, 'alors ?'],
      ];
      const at = new Map<string, number>();
      for (const [sid, from, body] of batch) {
        h.clock.advance(60_000);
        at.set(sid, h.clock.now());
        await h.intake.accept('simulator', { ...text(sid, from, body), to: line });
      }
      const seen: string[] = [];
      h.processor.subscribe((ev) => seen.push(`${ev.contactId}`));
      await h.processor.drain();
      assert.equal(seen.length, batch.length, 'recorded in one drain');

      const rows = await h.storage.db
        .selectFrom('contacts')
        .select(['provider_sid', 'outcome', 'reply_id', 'caller_id'])
        .where('provider_sid', 'in', [...at.keys()])
        .execute();
      const by = new Map(rows.map((r) => [r.provider_sid, r]));
      const outcome = (sid: string) => by.get(sid)?.outcome;
      const reply = (sid: string) => by.get(sid)?.reply_id ?? null;
      assert.equal(outcome('SM-a1'), 'reply_scheduled');
      assert.notEqual(reply('SM-a1'), null);
      assert.equal(outcome('SM-a2'), 'cooldown');
      assert.equal(reply('SM-a2'), reply('SM-a1'), 'within the reply the batch scheduled');
      assert.equal(outcome('SM-a3'), 'opted_out');
      assert.equal(reply('SM-a3'), reply('SM-a1'));
      assert.equal(outcome('SM-a4'), 'opted_out', 'after his STOP in the same batch');
      assert.equal(outcome('SM-c1'), 'cooldown');
      assert.equal(reply('SM-c1'), earlier.get('SM-c0'), 'within the reply stored before');
      assert.equal(outcome('SM-d1'), 'reply_scheduled', 'an expired reply frees the cooldown');
      assert.notEqual(reply('SM-d1'), earlier.get('SM-d0'));
      assert.equal(outcome('SM-e1'), 'opted_out');
      assert.equal(reply('SM-e1'), null);

      const replies = await h.storage.db
        .selectFrom('replies')
        .select(['id', 'caller_id', 'due_at', 'created_at'])
        .where('id', 'in', [reply('SM-a1')!, reply('SM-d1')!])
        .execute();
      assert.equal(replies.length, 2);
      for (const [sid, r] of [
        ['SM-a1', replies.find((x) => x.id === reply('SM-a1'))],
        ['SM-d1', replies.find((x) => x.id === reply('SM-d1'))],
      ] as const) {
        assert.equal(Number(r?.created_at), at.get(sid));
        assert.equal(Number(r?.due_at), at.get(sid)! + h.defaultLine.delayMs);
        assert.equal(r?.caller_id, by.get(sid)?.caller_id);
      }

      const callerA = await h.storage.db
        .selectFrom('callers')
        .select(['contact_count', 'first_seen_at', 'last_seen_at', 'opted_out_at'])
        .where('id', '=', by.get('SM-a1')!.caller_id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [
          Number(callerA.contact_count),
          Number(callerA.first_seen_at),
          Number(callerA.last_seen_at),
          Number(callerA.opted_out_at),
        ],
        [4, at.get('SM-a1'), at.get('SM-a4'), at.get('SM-a3')],
      );
      const callerC = await h.storage.db
        .selectFrom('callers')
        .select(['contact_count', 'last_seen_at'])
        .where('id', '=', by.get('SM-c1')!.caller_id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [Number(callerC.contact_count), Number(callerC.last_seen_at)],
        [2, at.get('SM-c1')],
      );
    });

    it('refreshes the planner statistics of the tables a raid grows (PostgreSQL)', async (t) => {
      const h = await boot();
      if (!h.storage.caps.analyzeOnGrowth) {
        t.skip('SQLite plans without statistics');
        return;
      }
      h.processor.leaveToOthers();
      const analyzed = async () =>
        (
          await sql<{ relname: string; last_analyze: Date | null }>`
            SELECT relname, last_analyze FROM pg_stat_user_tables
            WHERE schemaname = current_schema() AND relname IN ('callers', 'replies', 'contacts')
            ORDER BY relname`.execute(h.storage.db)
        ).rows.map((r) => `${r.relname}:${r.last_analyze !== null}`);
      const line = h.defaultLine.number;
      const accept = (from: number, to: number) =>
        Promise.all(
          Array.from({ length: to - from }, (_, k) =>
            h.intake.accept('simulator', {
              ...text(`SM${from + k}`, `+336200${String(from + k).padStart(5, '0')}`),
              to: line,
            }),
          ),
        );
      await accept(0, 900);
      await h.processor.drain();
      assert.deepEqual(await analyzed(), ['callers:false', 'contacts:false', 'replies:false']);
      await accept(900, 1_100);
      await h.processor.drain();
      assert.deepEqual(await analyzed(), ['callers:true', 'contacts:true', 'replies:true']);
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
      const logRepo = new IntakeLogRepo(h.storage.db, h.storage.caps);
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
