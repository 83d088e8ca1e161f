import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import twilio from 'twilio';
import { DEFAULT_TEXTS } from '../src/domain/messages.ts';
import { MICROS } from '../src/domain/types.ts';
import { smsCost } from '../src/policy/cost.ts';
import { NumberVault } from '../src/privacy/number-vault.ts';
import { openStorage, type Storage } from '../src/storage/db.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { FakeTwilio } from './support/fake-twilio.ts';
import { LINE, PUBLIC_URL, TEST_SECRET } from './support/hotline.ts';
import {
  killAllChildren,
  startServer,
  waitFor,
  type NonmerciProcess,
} from './support/server-process.ts';

/**
 * The real server (`nonmerci serve`) is killed with SIGKILL again and again — while webhooks are in
 * flight, while a reply is at the provider but not yet acknowledged, right after the provider
 * answered, at arbitrary moments — and restarted each time. Twilio re-delivers every webhook that got
 * no answer, with the same CallSid/MessageSid. At the end every caller has exactly one SMS.
 */

const CALLERS = 72;
/** The fake Twilio records a message, then waits this long before answering: the crash window. */
const PROVIDER_DELAY_MS = 30;
const PRICE_MICROS = 0.16 * MICROS;

type Kill =
  /** while webhooks are being answered: after this many answers (or failures) of this round */
  | { kind: 'webhooks'; afterAnswers: number }
  /**
   * on the nth message reaching the provider in this life; offset 0 kills in the same tick the
   * message is recorded (the provider has it, the server does not know), an offset beyond the
   * provider delay kills after the answer, while the server records the send
   */
  | { kind: 'on-send'; nth: number; offsetMs: number }
  /** at an arbitrary moment after the server is healthy */
  | { kind: 'after'; ms: number }
  /** as soon as it is healthy: while it re-claims what the previous life left */
  | { kind: 'at-start' };

const PLAN: Kill[] = [
  { kind: 'webhooks', afterAnswers: 6 },
  { kind: 'on-send', nth: 1, offsetMs: 0 },
  { kind: 'after', ms: 450 },
  { kind: 'on-send', nth: 3, offsetMs: PROVIDER_DELAY_MS + 2 },
  { kind: 'webhooks', afterAnswers: 2 },
  { kind: 'on-send', nth: 2, offsetMs: 12 },
  { kind: 'at-start' },
  { kind: 'after', ms: 1100 },
  { kind: 'on-send', nth: 1, offsetMs: 0 },
];
/** New webhooks sent in each killed life; the rest, and every unanswered one, go out in the last life. */
const FRESH_PER_ROUND = 12;

interface Webhook {
  caller: string;
  path: '/webhooks/twilio/voice' | '/webhooks/twilio/sms';
  params: Record<string, string>;
  acked: boolean;
  /** HTTP statuses, or "no answer" when the connection died. */
  outcomes: (number | 'no answer')[];
}

function makeWebhooks(accountSid: string): Webhook[] {
  const hooks: Webhook[] = [];
  let seq = 0;
  const sid = (prefix: 'CA' | 'SM') => `${prefix}${String(++seq).padStart(32, '0')}`;
  for (let i = 0; i < CALLERS; i++) {
    const caller = `+3361234${String(i).padStart(4, '0')}`;
    const call = (): Webhook => ({
      caller,
      path: '/webhooks/twilio/voice',
      params: {
        CallSid: sid('CA'),
        AccountSid: accountSid,
        From: caller,
        To: LINE,
        CallStatus: 'ringing',
        Direction: 'inbound',
      },
      acked: false,
      outcomes: [],
    });
    const text = (): Webhook => ({
      caller,
      path: '/webhooks/twilio/sms',
      params: {
        MessageSid: sid('SM'),
        AccountSid: accountSid,
        From: caller,
        To: LINE,
        Body: `message ${i}`,
        NumSegments: '1',
      },
      acked: false,
      outcomes: [],
    });
    if (i % 3 === 0) hooks.push(call());
    else if (i % 3 === 1) hooks.push(text());
    else hooks.push(call(), text()); // comes back: one reply all the same
  }
  // Interleave so that a caller's second contact arrives in a later round than the first.
  return hooks.sort((a, b) =>
    a.path === b.path ? 0 : a.path === '/webhooks/twilio/voice' ? -1 : 1,
  );
}

/** Posts one webhook signed like Twilio signs it (official package) against the public URL. */
async function deliver(base: string, hook: Webhook, authToken: string): Promise<void> {
  const signature = twilio.getExpectedTwilioSignature(
    authToken,
    PUBLIC_URL + hook.path,
    hook.params,
  );
  try {
    const res = await fetch(base + hook.path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
      },
      body: new URLSearchParams(hook.params).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    await res.text(); // an answer counts once it is read whole
    hook.outcomes.push(res.status);
    if (res.ok) hook.acked = true;
  } catch {
    hook.outcomes.push('no answer');
  }
}

/** Delivers webhooks a few at a time, calling `onAnswer` after each (answered or not). */
async function deliverAll(
  base: string,
  hooks: Webhook[],
  authToken: string,
  concurrency: number,
  onAnswer: () => void = () => {},
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < hooks.length) {
        const hook = hooks[next++]!;
        await deliver(base, hook, authToken);
        onAnswer();
      }
    }),
  );
}

for (const dialect of DIALECTS) {
  describe(`crash and restart of the real server [${dialect.name}]`, { skip: dialect.skip }, () => {
    const fake = new FakeTwilio();
    let db: TestDatabase;
    let dataDir: string;
    let storage: Storage | null = null;
    const logs: string[] = [];

    before(async () => {
      fake.delayMs = PROVIDER_DELAY_MS;
      await fake.start();
      db = await createTestDatabase(dialect.name);
      dataDir = mkdtempSync(join(tmpdir(), 'nonmerci-crash-'));
    });
    after(async () => {
      await killAllChildren();
      await storage?.close();
      await fake.stop();
      await db?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it(
      'sends exactly one SMS to every caller whatever the moment the process dies',
      { timeout: 100_000 },
      async (t) => {
        const env: Record<string, string> = {
          DATABASE_URL: db.target.kind === 'sqlite' ? `sqlite://${db.target.path}` : db.target.url,
          PUBLIC_URL,
          NONMERCI_SECRET: TEST_SECRET,
          NONMERCI_DATA_DIR: dataDir,
          TWILIO_ACCOUNT_SID: fake.accountSid,
          TWILIO_AUTH_TOKEN: fake.authToken,
          TWILIO_API_URL: fake.url,
          HOTLINE_NUMBER: LINE,
          REPLY_DELAY: '300ms',
          WORKER_POLL: '20ms',
          WORKER_LEASE: '1s',
          BUDGET_DAILY: '1000',
          BUDGET_MONTHLY: '10000',
          LOG_LEVEL: 'warn',
        };
        const hooks = makeWebhooks(fake.accountSid);
        const fresh = [...hooks];
        const kills: string[] = [];
        let sendKills = 0;

        const life = async (): Promise<{ proc: NonmerciProcess; base: string }> => {
          const started = await startServer(env);
          storage ??= openStorage(db.target);
          return started;
        };
        const collect = (proc: NonmerciProcess) => logs.push(proc.stdout + proc.stderr);

        for (const [round, kill] of PLAN.entries()) {
          const { proc, base } = await life();
          // Twilio re-delivers what got no answer, plus (now and then) something it already delivered.
          const redelivered = hooks.filter((h) => h.acked).slice(round, round + 2);
          const batch = [
            ...hooks.filter((h) => !h.acked && !fresh.includes(h)),
            ...fresh.splice(0, FRESH_PER_ROUND),
            ...redelivered,
          ];
          let answers = 0;
          const { promise: whenKilled, resolve: markKilled } = Promise.withResolvers<void>();
          const killNow = (why: string) => {
            if (proc.exit || proc.child.killed) return;
            proc.child.kill('SIGKILL');
            kills.push(why);
            markKilled();
          };

          let sends = 0;
          if (kill.kind === 'on-send') {
            fake.onMessage = () => {
              if (++sends !== kill.nth) return;
              sendKills++;
              if (kill.offsetMs === 0)
                killNow(`on send #${kill.nth}, before the provider answered`);
              else
                setTimeout(
                  () => killNow(`${kill.offsetMs} ms after send #${kill.nth}`),
                  kill.offsetMs,
                );
            };
          }
          if (kill.kind === 'at-start') killNow('as soon as healthy');
          const sending = deliverAll(base, batch, fake.authToken, 4, () => {
            if (kill.kind === 'webhooks' && ++answers === kill.afterAnswers)
              killNow(`after ${answers} webhook answers`);
          });
          if (kill.kind === 'after')
            setTimeout(() => killNow(`${kill.ms} ms after healthy`), kill.ms);
          // Bounded: if the awaited moment never comes (no send in this life), kill anyway.
          const fallback = setTimeout(
            () => killNow(`fallback after 8 s (${kill.kind} never happened)`),
            8000,
          );
          await Promise.race([whenKilled, proc.exited]);
          clearTimeout(fallback);
          const exit = await proc.exited;
          assert.equal(
            exit.signal,
            'SIGKILL',
            `the server died by itself: ${JSON.stringify(exit)}\n${proc.stdout}\n${proc.stderr}`,
          );
          fake.onMessage = null;
          await sending;
          collect(proc);
        }

        // Last life: nobody kills it. Twilio keeps re-delivering until every webhook is answered.
        const { proc, base } = await life();
        const db_ = storage!.db;
        await waitFor(
          'every webhook to be answered',
          async () => {
            const pending = hooks.filter((h) => !h.acked);
            if (pending.length === 0) return true;
            await deliverAll(base, pending, fake.authToken, 4);
            return undefined;
          },
          {
            timeoutMs: 30_000,
            intervalMs: 200,
            describe: () =>
              JSON.stringify(hooks.filter((h) => !h.acked).map((h) => [h.caller, h.outcomes])),
          },
        );
        const replies = await waitFor(
          'every reply to be sent',
          async () => {
            const rows = await db_.selectFrom('replies').selectAll().execute();
            const stuck = rows.filter((r) => r.state === 'failed' || r.state === 'cancelled');
            if (stuck.length)
              throw new Error(
                `replies ended ${JSON.stringify(stuck.map((r) => [r.id, r.state, r.reason, r.detail]))}`,
              );
            return rows.length === CALLERS && rows.every((r) => r.state === 'sent')
              ? rows
              : undefined;
          },
          {
            timeoutMs: 45_000,
            intervalMs: 100,
            describe: async () =>
              JSON.stringify(
                await db_
                  .selectFrom('replies')
                  .select(['id', 'state', 'reason', 'attempts', 'claimed_by', 'lease_until'])
                  .where('state', '!=', 'sent')
                  .execute(),
              ),
          },
        );
        const exit = await proc.stop('SIGTERM', 15_000);
        collect(proc);
        assert.deepEqual(exit, { code: 0, signal: null }, 'the last life stops cleanly on SIGTERM');

        t.diagnostic(`${kills.length} kills: ${kills.join('; ')}`);
        const retried = hooks.filter((h) => h.outcomes.includes('no answer'));
        t.diagnostic(
          `${retried.length} webhooks got no answer at least once and were re-delivered`,
        );
        const attempts = new Map<number, number>();
        for (const r of replies) attempts.set(r.attempts, (attempts.get(r.attempts) ?? 0) + 1);
        t.diagnostic(
          `replies by reservation attempts: ${JSON.stringify(Object.fromEntries(attempts))}; provider POSTs: ${fake.attempts.size ? [...fake.attempts.values()].reduce((a, b) => a + b, 0) : 0}`,
        );

        assert.ok(kills.length >= PLAN.length, 'every planned kill happened');
        assert.ok(sendKills >= 1, 'at least one kill landed inside a send');
        for (const h of hooks) {
          assert.ok(
            h.acked,
            `webhook ${h.params.CallSid ?? h.params.MessageSid} was answered in the end`,
          );
          for (const o of h.outcomes)
            assert.ok(
              o === 'no answer' || o === 200,
              `webhook answered ${o}: ${JSON.stringify(h.outcomes)}`,
            );
        }

        // Exactly one SMS per caller, never none, never two.
        const callers = [...new Set(hooks.map((h) => h.caller))];
        assert.equal(callers.length, CALLERS);
        for (const caller of callers)
          assert.equal(
            fake.sentTo(caller).length,
            1,
            `${caller} received ${fake.sentTo(caller).length} messages`,
          );
        assert.equal(fake.messages.length, CALLERS);
        for (const m of fake.messages) {
          assert.equal(m.from, LINE);
          assert.equal(m.body, DEFAULT_TEXTS.fr.reply);
        }

        // Re-delivered webhooks recorded nothing twice.
        const count = async (table: 'contacts' | 'callers' | 'replies') =>
          Number(
            (
              await db_
                .selectFrom(table)
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
        assert.equal(
          await count('contacts'),
          hooks.length,
          'one contact per distinct CallSid/MessageSid',
        );
        assert.equal(await count('callers'), CALLERS);
        assert.equal(await count('replies'), CALLERS);

        // Each reply row points at the message its caller received, and keeps exactly one reservation.
        const vault = new NumberVault(TEST_SECRET);
        const numbers = new Map(
          (await db_.selectFrom('callers').select(['id', 'number_enc']).execute()).map(
            (c) => [c.id, vault.decrypt(c.number_enc)] as const,
          ),
        );
        const cost = smsCost(DEFAULT_TEXTS.fr.reply, PRICE_MICROS).costMicros;
        for (const r of replies) {
          assert.deepEqual([r.state, r.reason], ['sent', 'sent']);
          const message = fake.messages.find((m) => m.sid === r.provider_sid);
          assert.ok(message, `reply ${r.id} has the sid of a message the provider holds`);
          assert.equal(message.to, numbers.get(r.caller_id));
          assert.equal(r.reserved_micros, cost);
          assert.equal(r.claimed_by, null);
        }
        const periods = await db_.selectFrom('budget_periods').selectAll().execute();
        assert.equal(periods.length, 2);
        for (const p of periods) {
          assert.equal(
            p.reserved_micros,
            CALLERS * cost,
            `${p.period}: no reservation leaked or lost`,
          );
          assert.equal(p.committed_micros, 0);
        }
        const logLines = logs.join('').split('\n');
        const warnings = logLines
          .filter((l) => l.includes('"level":40'))
          .map((l) => (JSON.parse(l) as { msg: string }).msg);
        t.diagnostic(`warnings logged over all lives: ${JSON.stringify(warnings)}`);
        const errors = logLines.filter((l) => /"level":(50|60)/.test(l));
        assert.deepEqual(errors, [], 'no error was logged');
      },
    );
  });
}
