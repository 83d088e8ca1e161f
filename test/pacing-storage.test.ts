import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SHIELD } from '../src/config/load.ts';
import { MICROS, type Line } from '../src/domain/types.ts';
import { budgetPeriods } from '../src/policy/budget-periods.ts';
import { PACING_STEP_MS } from '../src/policy/pacing.ts';
import type { ClaimedReply, Reservation } from '../src/scheduler/ports.ts';
import { RepliesRepo } from '../src/storage/replies-repo.ts';
import { sealNumber } from '../src/hotline/seal.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { LINE, startHotline, testConfig, type TestHotline } from './support/hotline.ts';

/**
 * Storage behind the slow-raid detector and the shield's pacing, on both dialects: which callers
 * count as hostile newcomers, the paced ceiling checked with the caps when a reply's cost is
 * reserved, and the replies a paced reply waits behind. Contacts go through the app's own intake,
 * so the real classifier labels the texts.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const PRICE = 0.16 * MICROS;
const OTHER_LINE = '+33939000002';
const WORKER = 'worker:test';
const LEASE = 5 * MINUTE;

let sid = 0;
/** Records a call (body null) or a text through the intake, at `at`, on the simulator line. */
async function contact(
  hotline: TestHotline,
  at: number,
  from: string,
  body: string | null,
  to = LINE,
) {
  hotline.clock.set(at);
  return hotline.intake.receive('simulator', {
    kind: body === null ? 'call' : 'text',
    from,
    to,
    providerSid: `SIMTEST${String(++sid).padStart(8, '0')}`,
    body,
  });
}

async function addOtherLine(hotline: TestHotline): Promise<Line> {
  const line = hotline.defaultLine;
  return hotline.lines.upsert(
    {
      number: OTHER_LINE,
      provider: line.provider,
      language: line.language,
      voiceText: line.voiceText,
      voiceAudioUrl: line.voiceAudioUrl,
      replyText: line.replyText,
      delayMs: line.delayMs,
      cooldownMs: line.cooldownMs,
      allowedCountries: line.allowedCountries,
      paused: false,
      rejectCallsWhenPaused: false,
    },
    hotline.clock.now(),
  );
}

for (const dialect of DIALECTS) {
  describe(`ShieldRepo.hostileNewcomers [${dialect.name}]`, { skip: dialect.skip }, () => {
    let db: TestDatabase;
    let hotline: TestHotline;
    let t0 = 0;
    let w = 0;
    let lineId = 0;
    let otherLineId = 0;
    const labels = new Map<string, (string | null)[]>();

    // Numbers: French mobiles, one per role.
    const OLD = '+33612000101'; // first seen before the window, insults in it
    const INSULTER = '+33612000102';
    const THREATENER = '+33612000103';
    const REPEATER = '+33612000104'; // three clean calls
    const SPAMMER = '+33612000105';
    const SEXUAL = '+33612000106';
    const CLEAN = '+33612000107'; // one clean text
    const TWICE = '+33612000108'; // two clean calls: under the three contacts that count
    const TESTER = '+33612000109'; // a curious "test" text
    const MOCKER = '+33612000110'; // bare laughter
    const LATE = '+33612000111'; // a clean call in the window, an insult after it
    const ELSEWHERE = '+33612000112'; // insults the other line

    before(async () => {
      db = await createTestDatabase(dialect.name);
      hotline = await startHotline(testConfig(db.target));
      t0 = hotline.clock.now();
      w = t0 + 10 * MINUTE;
      lineId = hotline.defaultLine.id;
      otherLineId = (await addOtherLine(hotline)).id;
      const events: [at: number, from: string, body: string | null, to?: string][] = [
        [t0, OLD, null],
        [w + 1 * MINUTE, OLD, 'connasse'],
        [w + 2 * MINUTE, INSULTER, 'connasse'],
        [w + 3 * MINUTE, THREATENER, 'je vais te retrouver et te tuer'],
        [w + 4 * MINUTE, REPEATER, null],
        [w + 5 * MINUTE, REPEATER, null],
        [w + 6 * MINUTE, REPEATER, null],
        [w + 7 * MINUTE, SPAMMER, 'gagnez un iphone http://x.co'],
        [w + 8 * MINUTE, SEXUAL, 'montre tes seins'],
        [w + 9 * MINUTE, CLEAN, 'salut'],
        [w + 10 * MINUTE, TWICE, null],
        [w + 11 * MINUTE, TWICE, null],
        [w + 12 * MINUTE, TESTER, 'Bonjour, ceci est un test'],
        [w + 13 * MINUTE, MOCKER, 'mdr'],
        [w + 14 * MINUTE, LATE, null],
        [w + 15 * MINUTE, ELSEWHERE, 'connasse', OTHER_LINE],
        [w + 25 * MINUTE, LATE, 'connasse'],
      ];
      for (const [at, from, body, to] of events) {
        await contact(hotline, at, from, body, to);
        const seen = labels.get(from) ?? [];
        // The labels the intake stored on the contact it just recorded.
        const row = await hotline.storage.db
          .selectFrom('contacts')
          .select('labels')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow();
        labels.set(from, [...seen, row.labels]);
      }
    });

    after(async () => {
      await hotline?.close().catch(() => {});
      await db?.drop();
    });

    const count = (from: number, to: number, line = lineId) =>
      hotline.shield.hostileNewcomers(line, from, to);

    it('has the texts labelled by the real classifier as the test intends', () => {
      assert.deepEqual(Object.fromEntries(labels), {
        [OLD]: [null, 'insult'],
        [INSULTER]: ['insult'],
        [THREATENER]: ['threat'],
        [REPEATER]: [null, null, null],
        [SPAMMER]: ['spam'],
        [SEXUAL]: ['sexual'],
        [CLEAN]: [null],
        [TWICE]: [null, null],
        [TESTER]: ['test'],
        [MOCKER]: ['mockery'],
        [LATE]: [null, 'insult'],
        [ELSEWHERE]: ['insult'],
      });
    });

    it('counts the insulting, threatening, spamming and harassing newcomers and the one who came three times', async () => {
      // INSULTER, THREATENER, REPEATER, SPAMMER, SEXUAL. Not OLD (first seen before the window),
      // CLEAN, TWICE, TESTER, MOCKER, LATE (insulted after the window), ELSEWHERE (other line).
      assert.equal(await count(w, w + 20 * MINUTE), 5);
    });

    it('counts the old caller once his first contact is inside the window', async () => {
      assert.equal(await count(t0, w + 20 * MINUTE), 6);
    });

    it('counts only the contacts inside the window: a later insult joins a wider window', async () => {
      assert.equal(await count(w, w + 25 * MINUTE), 5, 'the window ends before the insult');
      assert.equal(await count(w, w + 25 * MINUTE + 1), 6, 'LATE insulted inside this one');
    });

    it('is half-open, [from, to)', async () => {
      // THREATENER is first seen at w + 3 min exactly.
      assert.equal(await count(w, w + 3 * MINUTE), 1, 'INSULTER only');
      assert.equal(await count(w, w + 3 * MINUTE + 1), 2, 'THREATENER too');
      assert.equal(
        await count(w + 3 * MINUTE, w + 20 * MINUTE),
        4,
        'THREATENER, REPEATER, SPAMMER, SEXUAL',
      );
    });

    it('needs all three contacts of a repeater inside the window', async () => {
      assert.equal(await count(w + 4 * MINUTE, w + 6 * MINUTE), 0, 'two of his three calls');
      assert.equal(await count(w + 4 * MINUTE, w + 6 * MINUTE + 1), 1, 'all three');
    });

    it('counts per line', async () => {
      assert.equal(await count(w, w + 20 * MINUTE, otherLineId), 1, 'ELSEWHERE');
      assert.equal(await count(t0, w + 30 * MINUTE, otherLineId), 1);
    });

    it('finds nothing in an empty window', async () => {
      assert.equal(await count(w + 30 * MINUTE, w + 60 * MINUTE), 0);
      assert.equal(await count(w, w), 0);
    });
  });

  describe(
    `RepliesRepo.reserve with a paced ceiling [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      let db: TestDatabase;
      let hotline: TestHotline;
      let repo: RepliesRepo;
      const claimed = new Map<string, ClaimedReply>();
      const CALLERS = {
        a: '+33612000201',
        b: '+33612000202',
        c: '+33612000203',
        d: '+33612000204',
      } as const;
      let day = '';
      let month = '';
      let now = 0;

      before(async () => {
        db = await createTestDatabase(dialect.name);
        hotline = await startHotline(testConfig(db.target));
        repo = new RepliesRepo(hotline.storage.db, hotline.storage.caps);
        const t0 = hotline.clock.now();
        const byReply = new Map<number, string>();
        for (const [name, number] of Object.entries(CALLERS)) {
          const r = await contact(hotline, t0, number, null);
          byReply.set(r.result.replyId!, name);
        }
        now = t0 + HOUR;
        hotline.clock.set(now);
        for (const reply of await repo.claimDue(now, 10, WORKER, LEASE))
          claimed.set(byReply.get(reply.id)!, reply);
        ({ day, month } = budgetPeriods(now, 'Europe/Paris'));
      });

      after(async () => {
        await hotline?.close().catch(() => {});
        await db?.drop();
      });

      const reservation = (
        caps: { dailyMicros: number; monthlyMicros: number },
        ceiling: number | null,
      ): Reservation => ({
        costMicros: PRICE,
        body: 'Un non est un non.',
        segments: 1,
        encoding: 'GSM-7',
        provider: 'simulator',
        day,
        month,
        caps,
        pace: ceiling === null ? null : { ceilingMicros: ceiling },
        now,
        leaseUntil: now + LEASE,
        trace: { signals: '{}', priority: 5 },
      });
      const CAPS = { dailyMicros: 5 * MICROS, monthlyMicros: 50 * MICROS };
      const budget = async () =>
        Object.fromEntries(
          (
            await hotline.storage.db
              .selectFrom('budget_periods')
              .selectAll()
              .orderBy('period')
              .execute()
          ).map((p) => [p.period, [Number(p.reserved_micros), Number(p.committed_micros)]]),
        );
      const replyRow = (name: string) =>
        hotline.storage.db
          .selectFrom('replies')
          .select(['state', 'attempts', 'reserved_micros', 'provider_attempted_at', 'budget_day'])
          .where('id', '=', claimed.get(name)!.id)
          .executeTakeFirstOrThrow();
      const reserve = (name: string, r: Reservation) =>
        repo.reserve(claimed.get(name)!.id, WORKER, r);

      it('claimed the four replies', () => {
        assert.deepEqual([...claimed.keys()].sort(), ['a', 'b', 'c', 'd']);
      });

      it('refuses a reply that fits the caps but not the ceiling, and changes no budget row', async () => {
        assert.equal(await reserve('a', reservation(CAPS, PRICE - 1)), 'paced');
        assert.deepEqual(await budget(), {}, 'not even the rows of the period are left behind');
        assert.deepEqual(await replyRow('a'), {
          state: 'sending',
          attempts: 0,
          reserved_micros: 0,
          provider_attempted_at: null,
          budget_day: null,
        });
      });

      it('reserves a reply that just fits the ceiling', async () => {
        assert.equal(await reserve('a', reservation(CAPS, PRICE)), 'reserved');
        assert.deepEqual(await budget(), {
          [`day:${day}`]: [PRICE, 0],
          [`month:${month}`]: [PRICE, 0],
        });
        assert.deepEqual(await replyRow('a'), {
          state: 'sending',
          attempts: 1,
          reserved_micros: PRICE,
          provider_attempted_at: now,
          budget_day: day,
        });
      });

      it("counts the day's reservations and committed spend against the ceiling", async () => {
        await hotline.storage.db
          .updateTable('budget_periods')
          .set({ committed_micros: MICROS })
          .where('period', '=', `day:${day}`)
          .execute();
        // Spent so far: 0.16 € reserved + 1 € committed; b would make it 1.32 €.
        assert.equal(await reserve('b', reservation(CAPS, MICROS + 2 * PRICE - 1)), 'paced');
        assert.deepEqual(await budget(), {
          [`day:${day}`]: [PRICE, MICROS],
          [`month:${month}`]: [PRICE, 0],
        });
        assert.equal((await replyRow('b')).attempts, 0);
        assert.equal(await reserve('b', reservation(CAPS, MICROS + 2 * PRICE)), 'reserved');
        assert.deepEqual(await budget(), {
          [`day:${day}`]: [2 * PRICE, MICROS],
          [`month:${month}`]: [2 * PRICE, 0],
        });
      });

      it('says the day cap when both the day cap and the ceiling are exceeded', async () => {
        const before = await budget();
        const caps = { dailyMicros: MICROS + 3 * PRICE - 1, monthlyMicros: 50 * MICROS };
        assert.equal(await reserve('c', reservation(caps, 0)), 'day');
        assert.deepEqual(await budget(), before);
        assert.equal((await replyRow('c')).reserved_micros, 0);
      });

      it('says the month cap when it and the ceiling are exceeded, and rolls the day back', async () => {
        const before = await budget();
        const caps = { dailyMicros: 5 * MICROS, monthlyMicros: 3 * PRICE - 1 };
        assert.equal(await reserve('c', reservation(caps, 0)), 'month');
        assert.deepEqual(await budget(), before, "the day's increment is undone");
      });

      it('ignores the ceiling when the shield does not pace (pace: null)', async () => {
        assert.equal(await reserve('c', reservation(CAPS, null)), 'reserved');
        assert.deepEqual((await budget())[`day:${day}`], [3 * PRICE, MICROS]);
      });

      it('a ceiling below zero paces whatever is spent', async () => {
        assert.equal(await reserve('d', reservation(CAPS, -1)), 'paced');
        assert.deepEqual((await budget())[`day:${day}`], [3 * PRICE, MICROS]);
      });
    },
  );

  describe(
    `RepliesRepo.reserve: the ceiling holds under concurrent workers [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      let db: TestDatabase;
      let hotline: TestHotline;

      before(async () => {
        db = await createTestDatabase(dialect.name);
        hotline = await startHotline(testConfig(db.target));
      });
      after(async () => {
        await hotline?.close().catch(() => {});
        await db?.drop();
      });

      it('lets exactly as many reservations through as fit under the ceiling', async () => {
        const t0 = hotline.clock.now();
        for (let i = 0; i < 8; i++) await contact(hotline, t0, `+3361200030${i}`, null);
        const now = t0 + HOUR;
        hotline.clock.set(now);
        // Two workers, each with its own claims, reserving all at once.
        const repos = [0, 1].map(() => new RepliesRepo(hotline.storage.db, hotline.storage.caps));
        const first = await repos[0]!.claimDue(now, 4, 'w0', LEASE);
        const second = await repos[1]!.claimDue(now, 4, 'w1', LEASE);
        assert.equal(first.length + second.length, 8);
        const { day, month } = budgetPeriods(now, 'Europe/Paris');
        const reserve = (repo: RepliesRepo, worker: string, reply: ClaimedReply) =>
          repo.reserve(reply.id, worker, {
            costMicros: PRICE,
            body: 'x',
            segments: 1,
            encoding: 'GSM-7',
            provider: 'simulator',
            day,
            month,
            caps: { dailyMicros: 5 * MICROS, monthlyMicros: 50 * MICROS },
            pace: { ceilingMicros: 3 * PRICE },
            now,
            leaseUntil: now + LEASE,
            trace: { signals: '{}', priority: 0 },
          });
        const outcomes = await Promise.all([
          ...first.map((r) => reserve(repos[0]!, 'w0', r)),
          ...second.map((r) => reserve(repos[1]!, 'w1', r)),
        ]);
        assert.deepEqual(outcomes.toSorted(), [
          'paced',
          'paced',
          'paced',
          'paced',
          'paced',
          'reserved',
          'reserved',
          'reserved',
        ]);
        const rows = await hotline.storage.db.selectFrom('budget_periods').selectAll().execute();
        const spent = Object.fromEntries(rows.map((r) => [r.period, Number(r.reserved_micros)]));
        assert.deepEqual(spent, { [`day:${day}`]: 3 * PRICE, [`month:${month}`]: 3 * PRICE });
      });
    },
  );

  describe(`RepliesRepo.pacedAheadMicros [${dialect.name}]`, { skip: dialect.skip }, () => {
    let db: TestDatabase;
    let hotline: TestHotline;
    let repo: RepliesRepo;
    let lineId = 0;
    let otherLineId = 0;
    let due = 0;
    const ids = new Map<string, number>();

    before(async () => {
      db = await createTestDatabase(dialect.name);
      hotline = await startHotline(testConfig(db.target));
      repo = new RepliesRepo(hotline.storage.db, hotline.storage.caps);
      lineId = hotline.defaultLine.id;
      otherLineId = (await addOtherLine(hotline)).id;
      const t0 = hotline.clock.now();
      due = t0 + HOUR;
      // name → [state, reason, priority, due_at offset from `due`, line]
      const rows: Record<string, [string, string | null, number, number, 'main' | 'other']> = {
        self: ['scheduled', 'paced', 0, 0, 'main'], // the reply asking: never counts itself
        lessHostile: ['scheduled', 'paced', 10, 10 * MINUTE, 'main'],
        allowlisted: ['scheduled', 'paced', -1, HOUR, 'main'],
        asHostileEarlier: ['scheduled', 'paced', 50, -1, 'main'],
        asHostileSameTime: ['scheduled', 'paced', 50, 0, 'main'],
        asHostileLater: ['scheduled', 'paced', 50, 1, 'main'],
        moreHostile: ['scheduled', 'paced', 100, -HOUR, 'main'],
        notPaced: ['scheduled', null, 0, -HOUR, 'main'],
        heldByBudget: ['scheduled', 'budget_exhausted', 0, -HOUR, 'main'],
        beingSent: ['sending', 'paced', 0, -HOUR, 'main'],
        sent: ['sent', 'sent', 0, -HOUR, 'main'],
        otherLine: ['scheduled', 'paced', 0, -HOUR, 'other'],
      };
      let i = 0;
      for (const [name, [state, reason, priority, offset, line]] of Object.entries(rows)) {
        const r = await contact(
          hotline,
          t0,
          `+336120004${String(++i).padStart(2, '0')}`,
          null,
          line === 'main' ? LINE : OTHER_LINE,
        );
        const id = r.result.replyId!;
        ids.set(name, id);
        await hotline.storage.db
          .updateTable('replies')
          .set({ state, reason, priority, due_at: due + offset })
          .where('id', '=', id)
          .execute();
      }
    });

    after(async () => {
      await hotline?.close().catch(() => {});
      await db?.drop();
    });

    it('counts the paced replies of the line that are less hostile, or as hostile and due earlier', async () => {
      // lessHostile, allowlisted, asHostileEarlier.
      const ahead = await repo.pacedAheadMicros(
        lineId,
        { id: ids.get('self')!, priority: 50, dueAt: due },
        PRICE,
      );
      assert.equal(ahead, 3 * PRICE);
    });

    it('counts every paced reply of the line, itself left out, for the most hostile reply', async () => {
      const ahead = await repo.pacedAheadMicros(
        lineId,
        { id: ids.get('self')!, priority: 1000, dueAt: due },
        PRICE,
      );
      // lessHostile, allowlisted, the three asHostile, moreHostile.
      assert.equal(ahead, 6 * PRICE);
      const self = await repo.pacedAheadMicros(
        lineId,
        { id: -1, priority: 1000, dueAt: due },
        PRICE,
      );
      assert.equal(self, 7 * PRICE, 'the same query from another reply counts self too');
    });

    it('counts nothing ahead of the least hostile, earliest reply', async () => {
      const ahead = await repo.pacedAheadMicros(
        lineId,
        { id: ids.get('allowlisted')!, priority: -1, dueAt: due + HOUR },
        PRICE,
      );
      assert.equal(ahead, 0);
    });

    it('prices what waits ahead at the given cost', async () => {
      const query = { id: ids.get('self')!, priority: 50, dueAt: due };
      assert.equal(await repo.pacedAheadMicros(lineId, query, 2 * PRICE), 6 * PRICE);
      assert.equal(await repo.pacedAheadMicros(lineId, query, 0), 0);
    });

    it('counts per line', async () => {
      const ahead = await repo.pacedAheadMicros(
        otherLineId,
        { id: -1, priority: 50, dueAt: due },
        PRICE,
      );
      assert.equal(ahead, PRICE, 'otherLine only');
    });
  });

  describe(
    `pacing through the worker while the shield is on [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      let db: TestDatabase;
      let hotline: TestHotline;
      // Six ordinary callers from six number ranges (a shared range would look hammered).
      const CALLERS = Array.from({ length: 6 }, (_, i) => `+336${i + 1}2345678`);
      let t0 = 0;
      const replies = () =>
        hotline.storage.db
          .selectFrom('replies')
          .select(['id', 'state', 'reason', 'priority', 'next_attempt_at', 'due_at'])
          .orderBy('id')
          .execute();

      before(async () => {
        db = await createTestDatabase(dialect.name);
        hotline = await startHotline(
          testConfig(db.target, {
            // Ten replies a day; one caller an hour kept for at least.
            budget: { dailyMicros: 10 * PRICE, monthlyMicros: 50 * MICROS },
            shield: { ...DEFAULT_SHIELD, pacingFloorPerHour: 1 },
          }),
        );
        t0 = hotline.clock.now(); // 17:00 in Paris
        await hotline.shield.setMode(hotline.defaultLine.id, 'on', 'operator:test', t0);
        await hotline.shieldMonitor.tick();
      });

      after(async () => {
        await hotline?.close().catch(() => {});
        await db?.drop();
      });

      it('switched the shield on', async () => {
        assert.equal((await hotline.lines.findById(hotline.defaultLine.id))!.shield.active, true);
      });

      it("spends only what the reserve for the rest of the day leaves, and holds the rest 'paced'", async () => {
        for (const [i, from] of CALLERS.entries())
          await contact(hotline, t0 + (i + 1) * 10 * SECOND, from, null);
        // 18:01 in Paris: 5 h 59 left at one caller an hour → 6 replies kept of 10; 4 may go.
        const now = t0 + HOUR + MINUTE;
        hotline.clock.set(now);
        await hotline.worker.drain();
        const rows = await replies();
        assert.deepEqual(
          rows.map((r) => [r.state, r.reason]),
          [
            ['sent', 'sent'],
            ['sent', 'sent'],
            ['sent', 'sent'],
            ['sent', 'sent'],
            ['scheduled', 'paced'],
            ['scheduled', 'paced'],
          ],
        );
        const recheck = Math.floor(now / PACING_STEP_MS) * PACING_STEP_MS + PACING_STEP_MS;
        assert.deepEqual(
          rows.slice(4).map((r) => [r.priority, r.next_attempt_at]),
          [
            [5, recheck], // arrived during the raid: a small weight, not hostile
            [5, recheck],
          ],
        );
        // The first paced reply waits behind nobody; the second behind the first.
        const repo = new RepliesRepo(hotline.storage.db, hotline.storage.caps);
        const ahead = await Promise.all(
          rows
            .slice(4)
            .map((r) =>
              repo.pacedAheadMicros(
                hotline.defaultLine.id,
                { id: r.id, priority: r.priority, dueAt: r.due_at },
                PRICE,
              ),
            ),
        );
        assert.deepEqual(ahead, [0, PRICE]);
      });

      it('looks at them again at the next step and keeps them while nothing is released', async () => {
        const [fifth] = (await replies()).slice(4);
        hotline.clock.set(fifth!.next_attempt_at);
        await hotline.worker.drain();
        const rows = await replies();
        assert.deepEqual(
          rows.slice(4).map((r) => [r.state, r.reason, r.next_attempt_at]),
          [
            ['scheduled', 'paced', fifth!.next_attempt_at + PACING_STEP_MS],
            ['scheduled', 'paced', fifth!.next_attempt_at + PACING_STEP_MS],
          ],
        );
      });

      it('releases one more reply when an hour less is left to keep budget for', async () => {
        // 19:00 in Paris: 5 h left → 5 replies kept, 5 may go; 4 went.
        hotline.clock.set(t0 + 2 * HOUR);
        await hotline.worker.drain();
        const rows = await replies();
        assert.deepEqual(
          rows.slice(4).map((r) => [r.state, r.reason]),
          [
            ['sent', 'sent'],
            ['scheduled', 'paced'],
          ],
        );
        const spent = await hotline.storage.db
          .selectFrom('budget_periods')
          .selectAll()
          .where('period', 'like', 'day:%')
          .executeTakeFirstOrThrow();
        assert.equal(Number(spent.reserved_micros) + Number(spent.committed_micros), 5 * PRICE);
      });

      it('sends them at once when the shield goes off', async () => {
        await hotline.shield.setMode(
          hotline.defaultLine.id,
          'off',
          'operator:test',
          hotline.clock.now(),
        );
        await hotline.shieldMonitor.tick();
        assert.equal((await hotline.lines.findById(hotline.defaultLine.id))!.shield.active, false);
        await hotline.worker.drain();
        assert.deepEqual(
          (await replies()).map((r) => r.state),
          ['sent', 'sent', 'sent', 'sent', 'sent', 'sent'],
        );
      });
    },
  );

  describe(
    `an allowlisted number during a raid is first in line, never above the paced budget [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      let db: TestDatabase;
      let hotline: TestHotline;
      const ORDINARY = Array.from({ length: 5 }, (_, i) => `+336${i + 1}2345679`);
      const FRIEND = '+33698765431';
      const stateOf = async (from: string) => {
        const row = await hotline.storage.db
          .selectFrom('replies')
          .innerJoin('callers', 'callers.id', 'replies.caller_id')
          .select(['replies.state', 'replies.reason'])
          .where('callers.number_index', '=', hotline.vault.blindIndex(from))
          .executeTakeFirstOrThrow();
        return [row.state, row.reason];
      };

      before(async () => {
        db = await createTestDatabase(dialect.name);
        hotline = await startHotline(
          testConfig(db.target, {
            budget: { dailyMicros: 10 * PRICE, monthlyMicros: 50 * MICROS },
            shield: { ...DEFAULT_SHIELD, pacingFloorPerHour: 1 },
          }),
        );
        const t0 = hotline.clock.now(); // 17:00 in Paris
        await hotline.rules.setListed(
          'allowed',
          sealNumber(hotline.vault, FRIEND),
          true,
          'operator:test',
          t0,
        );
        await hotline.shield.setMode(hotline.defaultLine.id, 'on', 'operator:test', t0);
        await hotline.shieldMonitor.tick();
        for (const [i, from] of ORDINARY.entries())
          await contact(hotline, t0 + (i + 1) * 10 * SECOND, from, null);
        // The allowlisted number comes last, and insults the line: the allowlist skips content rules.
        await contact(hotline, t0 + 70 * SECOND, FRIEND, 'connasse');
        hotline.clock.set(t0 + HOUR + 2 * MINUTE); // 18:02: four replies fit above the reserve
        await hotline.worker.drain();
      });

      after(async () => {
        await hotline?.close().catch(() => {});
        await db?.drop();
      });

      it('waits like the others when the paced budget is spent', async () => {
        for (const from of ORDINARY.slice(0, 4))
          assert.deepEqual(await stateOf(from), ['sent', 'sent']);
        assert.deepEqual(await stateOf(ORDINARY[4]!), ['scheduled', 'paced']);
        assert.deepEqual(await stateOf(FRIEND), ['scheduled', 'paced'], 'not above the budget');
      });

      it('is the first to go when the pacing releases a reply', async () => {
        hotline.clock.set(hotline.clock.now() + HOUR); // 19:02: one more reply fits
        await hotline.worker.drain();
        assert.deepEqual(await stateOf(FRIEND), ['sent', 'sent']);
        assert.deepEqual(await stateOf(ORDINARY[4]!), ['scheduled', 'paced']);
      });
    },
  );
}
