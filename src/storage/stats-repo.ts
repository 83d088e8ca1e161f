import type { Kysely } from 'kysely';
import { periodKey } from './budget-keys.ts';
import type { Database } from './schema.ts';

export interface QueueStats {
  byState: Record<string, number>;
  byReason: Record<string, number>;
  /** Scheduled replies already due (the backlog). */
  dueNow: number;
}

export interface SpendStats {
  reservedMicros: number;
  committedMicros: number;
}

/** Read-only aggregates for metrics and status screens. */
export class StatsRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Throws when the database cannot be read. */
  async ping(): Promise<void> {
    await this.#db.selectFrom('lines').select('id').limit(1).execute();
  }

  async queue(now: number): Promise<QueueStats> {
    const rows = await this.#db
      .selectFrom('replies')
      .select(['state', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['state', 'reason'])
      .execute();
    const byState: Record<string, number> = {};
    const byReason: Record<string, number> = {};
    for (const r of rows) {
      byState[r.state] = (byState[r.state] ?? 0) + Number(r.n);
      const reason = r.reason ?? 'pending';
      byReason[reason] = (byReason[reason] ?? 0) + Number(r.n);
    }
    const due = await this.#db
      .selectFrom('replies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'scheduled')
      .where('next_attempt_at', '<=', now)
      .executeTakeFirstOrThrow();
    return { byState, byReason, dueNow: Number(due.n) };
  }

  /** Spend of one calendar day ("2026-11-01") or month ("2026-11"). */
  async spend(kind: 'day' | 'month', value: string): Promise<SpendStats> {
    const row = await this.#db
      .selectFrom('budget_periods')
      .selectAll()
      .where('period', '=', periodKey(kind, value))
      .executeTakeFirst();
    return {
      reservedMicros: row?.reserved_micros ?? 0,
      committedMicros: row?.committed_micros ?? 0,
    };
  }

  async contactsByKind(): Promise<Record<string, number>> {
    const rows = await this.#db
      .selectFrom('contacts')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('kind')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
  }
}
