import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { ManualClock } from '../src/domain/clock.ts';
import { DEFAULT_TEXTS } from '../src/domain/messages.ts';
import { MICROS } from '../src/domain/types.ts';
import { assemble, type Hotline } from '../src/main.ts';
import { smsCost } from '../src/policy/cost.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { FakeTwilio } from './support/fake-twilio.ts';
import { LINE, PUBLIC_URL, TEST_SECRET, testConfig } from './support/hotline.ts';
import {
  killAllChildren,
  spawnNonmerci,
  waitFor,
  type NonmerciProcess,
} from './support/server-process.ts';

/**
 * Three `nonmerci serve --role worker` processes drain one PostgreSQL queue of 1,000 due replies
 * under a daily cap that pays for 600 of them. Claims are atomic (FOR UPDATE SKIP LOCKED) and the
 * cap check-and-increment is one statement, so: no destination gets two messages, exactly 600 go out,
 * the cap is never crossed, and the 400 others are held for the next day.
 */

const REPLIES = 1000;
const FITS = 600;
const WORKERS = 3;
const PRICE_MICROS = 0.16 * MICROS;
const MONTHLY_CAP_MICROS = 100_000 * MICROS;
/** Replies fall due all at once, a little after the workers are started, so that all three race for them. */
const LEAD_MS = 5000;

const postgres = DIALECTS.find((d) => d.name === 'postgres')!;

describe('several worker processes on one PostgreSQL', { skip: postgres.skip }, () => {
  const fake = new FakeTwilio();
  let db: TestDatabase;
  let dataDir: string;
  let hotline: Hotline | null = null;

  before(async () => {
    fake.delayMs = 3;
    await fake.start();
    db = await createTestDatabase('postgres');
    dataDir = mkdtempSync(join(tmpdir(), 'nonmerci-workers-'));
  });
  after(async () => {
    await killAllChildren();
    await hotline?.close();
    await fake.stop();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    `sends exactly the ${FITS} replies the daily cap pays for, once each, and holds the rest`,
    { timeout: 100_000 },
    async (t) => {
      const cost = smsCost(DEFAULT_TEXTS.fr.reply, PRICE_MICROS).costMicros;
      const cap = FITS * cost;
      const budgetDaily = String(cap / MICROS);
      assert.equal(Math.round(Number(budgetDaily) * MICROS), cap, 'the cap is written exactly');
      const twilioCreds = fake.settings;

      // The app's own intake, on a clock set a little ahead: every reply falls due at the same moment.
      const dueAt = Date.now() + LEAD_MS;
      hotline = await assemble(
        testConfig(db.target, {
          twilio: twilioCreds,
          replyDelayMs: 0,
          budget: { dailyMicros: cap, monthlyMicros: MONTHLY_CAP_MICROS },
        }),
        { clock: new ManualClock(dueAt), log: pino({ level: 'silent' }), lines: 'ensure' },
      );
      const { db: q } = hotline.storage;

      const env: Record<string, string> = {
        DATABASE_URL: (db.target as { url: string }).url,
        PUBLIC_URL,
        NONMERCI_SECRET: TEST_SECRET,
        NONMERCI_DATA_DIR: dataDir,
        TWILIO_ACCOUNT_SID: fake.accountSid,
        TWILIO_AUTH_TOKEN: fake.authToken,
        TWILIO_API_URL: fake.url,
        HOTLINE_NUMBER: LINE,
        REPLY_DELAY: '0s',
        SMS_SEGMENT_PRICE: String(PRICE_MICROS / MICROS),
        BUDGET_DAILY: budgetDaily,
        BUDGET_MONTHLY: String(MONTHLY_CAP_MICROS / MICROS),
        WORKER_POLL: '20ms',
        LOG_LEVEL: 'info',
        // 1,000 contacts land in one minute on purpose: this test is about the cap, not the
        // shield, whose switching on (a warning) would depend on how long the run takes.
        SHIELD_SURGE_CONTACTS: '100000',
        SHIELD_SURGE_NEW_CALLERS: '100000',
      };
      const workers: NonmerciProcess[] = Array.from({ length: WORKERS }, () =>
        spawnNonmerci(['serve', '--role', 'worker'], env),
      );

      const callers = Array.from(
        { length: REPLIES },
        (_, i) => `+3361234${String(i).padStart(4, '0')}`,
      );
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < callers.length) {
            const i = next++;
            const { result } = await hotline!.intake.receive('twilio', {
              kind: 'call',
              from: callers[i]!,
              to: LINE,
              providerSid: `CA${String(i).padStart(32, '0')}`,
              body: null,
            });
            assert.equal(result.outcome, 'reply_scheduled');
          }
        }),
      );
      await Promise.all(
        workers.map((w) => w.waitForOutput(/nonmerci is running \(worker\)/, 30_000)),
      );

      const describeQueue = async () =>
        JSON.stringify(
          await q
            .selectFrom('replies')
            .select(['state', 'reason', (eb) => eb.fn.countAll().as('n')])
            .groupBy(['state', 'reason'])
            .execute(),
        );
      await waitFor(
        'no reply to be claimable',
        async () => {
          const crashed = workers.find((w) => w.exit);
          if (crashed)
            throw new Error(
              `a worker exited ${JSON.stringify(crashed.exit)}\n${crashed.stdout}\n${crashed.stderr}`,
            );
          const now = Date.now();
          if (now <= dueAt) return undefined;
          const rows = await q.selectFrom('replies').select(['state', 'next_attempt_at']).execute();
          const claimable = rows.filter(
            (r) => r.state === 'sending' || (r.state === 'scheduled' && r.next_attempt_at <= now),
          );
          return rows.length === REPLIES && claimable.length === 0 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100, describe: describeQueue },
      );
      const exits = await Promise.all(workers.map((w) => w.stop('SIGTERM', 15_000)));
      for (const exit of exits)
        assert.deepEqual(exit, { code: 0, signal: null }, 'workers stop cleanly on SIGTERM');

      // Who did what, from each worker's own log ("reply sent" lines).
      const logLines = workers.map((w) =>
        w.stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { level: number; msg: string; alert?: { kind: string } }),
      );
      const shares = logLines.map((lines) => lines.filter((l) => l.msg === 'reply sent').length);
      t.diagnostic(
        `replies sent per worker (from their logs): ${shares.join(', ')}; provider POSTs: ${[...fake.attempts.values()].reduce((a, b) => a + b, 0)}`,
      );
      // Spending 100 % of the daily cap is this test's purpose: the budget alerts it raises on the
      // way (50 %, 80 %, 100 %, logged at warn level by whichever worker's monitor sees them first)
      // are expected. Any other warning or error is a fault.
      const lines = logLines.flat();
      const budgetAlerts = lines.filter((l) => l.level === 40 && l.alert?.kind === 'budget');
      const problems = lines.filter((l) => l.level >= 40 && !budgetAlerts.includes(l));
      assert.deepEqual(
        problems,
        [],
        'no worker logged a warning or an error (lost lease, failed write…)',
      );

      // No destination received two messages; exactly as many as the cap pays for went out.
      const destinations = new Set(fake.messages.map((m) => m.to));
      assert.equal(destinations.size, fake.messages.length, 'a destination received two messages');
      assert.equal(fake.messages.length, FITS);
      const known = new Set(callers);
      for (const m of fake.messages) {
        assert.ok(known.has(m.to), `message to an unknown number ${m.to}`);
        assert.equal(m.from, LINE);
      }
      assert.equal(
        [...fake.attempts.values()].reduce((a, b) => a + b, 0),
        FITS,
        'no provider call beyond the sent messages',
      );

      // The queue: 600 sent, each with its one reservation and provider sid; 400 held for lack of budget.
      const replies = await q.selectFrom('replies').selectAll().execute();
      const sent = replies.filter((r) => r.state === 'sent');
      const held = replies.filter((r) => r.state === 'scheduled');
      assert.equal(sent.length, FITS, await describeQueue());
      assert.equal(held.length, REPLIES - FITS, await describeQueue());
      assert.equal(new Set(sent.map((r) => r.provider_sid)).size, FITS);
      assert.deepEqual(
        new Set(sent.map((r) => r.provider_sid)),
        new Set(fake.messages.map((m) => m.sid)),
      );
      for (const r of sent) assert.equal(r.reserved_micros, cost);
      for (const r of held) {
        assert.equal(r.reason, 'budget_exhausted');
        assert.equal(r.reserved_micros, 0);
        assert.equal(r.provider_attempted_at, null);
        assert.equal(r.claimed_by, null);
      }

      // The cap was never crossed: the final counters, and the count × price.
      const periods = await q.selectFrom('budget_periods').selectAll().orderBy('period').execute();
      assert.equal(
        periods.length,
        2,
        `one day and one month period expected (a test run across midnight in Europe/Paris would see two days): ${JSON.stringify(periods)}`,
      );
      for (const p of periods) {
        const limit = p.period.startsWith('day:') ? cap : MONTHLY_CAP_MICROS;
        assert.ok(
          p.reserved_micros + p.committed_micros <= limit,
          `${p.period} is over its cap: ${JSON.stringify(p)}`,
        );
        assert.equal(
          p.reserved_micros + p.committed_micros,
          FITS * cost,
          `${p.period} counts exactly what was sent`,
        );
      }
      assert.ok(fake.messages.length * cost <= cap);
    },
  );
});
