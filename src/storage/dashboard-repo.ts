import { sql, type Kysely } from 'kysely';
import { periodKey } from './budget-keys.ts';
import type { Database } from './schema.ts';

export interface TodayCounts {
  calls: number;
  texts: number;
  repliesSent: number;
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
    const kinds = await this.#db
      .selectFrom('contacts')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .where('received_at', '>=', from)
      .groupBy('kind')
      .execute();
    const sent = await this.#db
      .selectFrom('replies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'sent')
      .where('sent_at', '>=', from)
      .executeTakeFirstOrThrow();
    const n = (kind: string) => Number(kinds.find((k) => k.kind === kind)?.n ?? 0);
    return { calls: n('call'), texts: n('text'), repliesSent: Number(sent.n) };
  }

  /** Scheduled replies: waiting for their delay (no reason yet) or held back (with a reason). */
  async queue(): Promise<QueueCounts> {
    const rows = await this.#db
      .selectFrom('replies')
      .select(['reason', (eb) => eb.fn.countAll<number>().as('n')])
      .where('state', 'in', ['scheduled', 'sending'])
      .groupBy('reason')
      .execute();
    const heldByReason: Record<string, number> = {};
    let waiting = 0;
    let held = 0;
    for (const r of rows) {
      if (r.reason === null) waiting += Number(r.n);
      else {
        held += Number(r.n);
        heldByReason[r.reason] = Number(r.n);
      }
    }
    return { waiting, held, heldByReason };
  }

  /** Contacts, sent replies and their cost per bucket of `bucketMs` since `from`, keyed by bucket start. */
  async buckets(from: number, bucketMs: number): Promise<Buckets> {
    const width = sql.lit(bucketMs);
    const contactRows = await this.#db
      .selectFrom('contacts')
      .select([
        sql<number>`received_at / ${width}`.as('b'),
        (eb) => eb.fn.countAll<number>().as('n'),
      ])
      .where('received_at', '>=', from)
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
