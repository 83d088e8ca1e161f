import { sql, type Kysely } from 'kysely';
import { periodKey } from './budget-keys.ts';
import type { ContactKind } from '../domain/types.ts';
import type { Database } from './schema.ts';

export interface TodayCounts {
  calls: number;
  texts: number;
  repliesSent: number;
  /** Of the calls and texts, those still in the intake log: answered, not yet recorded. */
  recording: number;
}

export interface QueueCounts {
  waiting: number;
  held: number;
  heldByReason: Record<string, number>;
}

export interface Buckets {
  contacts: Map<number, number>;
  replies: Map<number, { count: number; spendMicros: number }>;
}

/** Read-only aggregates behind the dashboard's overview, chart and budget history. */
export class DashboardRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async today(from: number): Promise<TodayCounts> {
    // One statement, so that a batch the processor moves from the log to the contacts meanwhile
    // is counted once: the figures include what was answered and is still being recorded. The
    // contacts are counted by kind from an index alone (contacts_kind_received_idx); the log is
    // read once.
    const recorded = (kind: ContactKind) =>
      this.#db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', kind)
        .where('received_at', '>=', from);
    const row = await this.#db
      .selectFrom(
        this.#db
          .selectFrom('intake_log')
          .select((eb) => [
            eb.fn.countAll<number>().as('all'),
            eb.fn
              .sum<number>(eb.case().when('kind', '=', 'call').then(1).else(0).end())
              .as('calls'),
          ])
          .where('received_at', '>=', from)
          .as('log'),
      )
      .select([
        recorded('call').as('calls'),
        recorded('text').as('texts'),
        'log.all as logged',
        'log.calls as logged_calls',
      ])
      .executeTakeFirstOrThrow();
    const sent = await this.#db
      .selectFrom('replies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'sent')
      .where('sent_at', '>=', from)
      .executeTakeFirstOrThrow();
    const recording = Number(row.logged);
    const loggedCalls = Number(row.logged_calls ?? 0);
    return {
      calls: Number(row.calls) + loggedCalls,
      texts: Number(row.texts) + recording - loggedCalls,
      repliesSent: Number(sent.n),
      recording,
    };
  }

  /** Scheduled replies: waiting for their delay (no reason yet) or held back (with a reason). */
  async queue(): Promise<QueueCounts> {
    // One state at a time: each is then read in the order of replies_state_reason_idx, from the
    // index alone, without sorting (a flood can leave a hundred thousand replies scheduled).
    const byReason = (state: string) =>
      this.#db
        .selectFrom('replies')
        .select(['reason', (eb) => eb.fn.countAll<number>().as('n')])
        .where('state', '=', state)
        .groupBy('reason');
    const rows = await byReason('scheduled').unionAll(byReason('sending')).execute();
    const heldByReason: Record<string, number> = {};
    let waiting = 0;
    let held = 0;
    for (const r of rows) {
      if (r.reason === null) waiting += Number(r.n);
      else {
        held += Number(r.n);
        heldByReason[r.reason] = (heldByReason[r.reason] ?? 0) + Number(r.n);
      }
    }
    return { waiting, held, heldByReason };
  }

  /**
   * Contacts (those still in the intake log too), sent replies and their cost per bucket of
   * `bucketMs` since `from`, keyed by bucket start.
   */
  async buckets(from: number, bucketMs: number): Promise<Buckets> {
    const width = sql.lit(bucketMs);
    const received = this.#db
      .selectFrom('contacts')
      .select('received_at')
      .where('received_at', '>=', from)
      .unionAll(
        this.#db.selectFrom('intake_log').select('received_at').where('received_at', '>=', from),
      );
    const contactRows = await this.#db
      .selectFrom(received.as('r'))
      .select([
        sql<number>`received_at / ${width}`.as('b'),
        (eb) => eb.fn.countAll<number>().as('n'),
      ])
      .groupBy(sql`received_at / ${width}`)
      .execute();
    const replyRows = await this.#db
      .selectFrom('replies')
      .select([
        sql<number>`sent_at / ${width}`.as('b'),
        (eb) => eb.fn.countAll<number>().as('n'),
        // Until the provider reports the price, a sent reply costs what was reserved for it: the
        // figure the budget gauges count too.
        sql<number>`sum(coalesce(cost_micros, reserved_micros))`.as('spend'),
      ])
      .where('state', '=', 'sent')
      .where('sent_at', '>=', from)
      .groupBy(sql`sent_at / ${width}`)
      .execute();
    return {
      contacts: new Map(contactRows.map((r) => [Number(r.b) * bucketMs, Number(r.n)])),
      replies: new Map(
        replyRows.map((r) => [
          Number(r.b) * bucketMs,
          { count: Number(r.n), spendMicros: Number(r.spend ?? 0) },
        ]),
      ),
    };
  }

  /** Spend (committed and reserved) of the given days or months, keyed "2026-11-01" / "2026-11". */
  async spendOf(kind: 'day' | 'month', values: string[]): Promise<Map<string, number>> {
    if (values.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('budget_periods')
      .selectAll()
      .where(
        'period',
        'in',
        values.map((v) => periodKey(kind, v)),
      )
      .execute();
    return new Map(
      rows.map((r) => [
        r.period.slice(kind.length + 1),
        Number(r.committed_micros) + Number(r.reserved_micros),
      ]),
    );
  }

  /** Sent replies per budget day. */
  async repliesPerDay(days: string[]): Promise<Map<string, number>> {
    if (days.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('replies')
      .select(['budget_day', (eb) => eb.fn.countAll<number>().as('n')])
      .where('state', '=', 'sent')
      .where('budget_day', 'in', days)
      .groupBy('budget_day')
      .execute();
    return new Map(rows.map((r) => [r.budget_day ?? '', Number(r.n)]));
  }
}
