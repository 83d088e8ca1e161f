import { type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { AlertStatus, AlertStore, StoredAlert } from '../alerts/alerts.ts';
import type { Capabilities } from './capabilities.ts';
import type { AlertsTable, Database } from './schema.ts';

/** Longest error text kept per alert. */
const ERROR_MAX = 1000;

function sinkList(value: string): string[] {
  return value === '' ? [] : value.split(',');
}

function status(row: Selectable<AlertsTable>): AlertStatus {
  if (row.delivered_at === null) return 'pending';
  // Settled with an error left: given up. A full delivery clears the last error.
  return row.last_error === null ? 'delivered' : 'failed';
}

function toStored(row: Selectable<AlertsTable>): StoredAlert {
  return {
    id: row.id,
    key: row.dedupe_key,
    kind: row.kind,
    payload: row.payload,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    attempts: row.attempts,
    claimedUntil: row.claimed_until,
    deliveredTo: sinkList(row.delivered_to),
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
    status: status(row),
  };
}

function clip(error: string): string {
  return error.length > ERROR_MAX ? `${error.slice(0, ERROR_MAX - 1)}…` : error;
}

/** Unsettled, due, and not held by a live lease. */
function isDue(eb: ExpressionBuilder<Database, 'alerts'>, now: number) {
  return eb.and([
    eb('delivered_at', 'is', null),
    eb('next_attempt_at', '<=', now),
    eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]),
  ]);
}

/** The alert outbox on SQLite or PostgreSQL. */
export class AlertsRepo implements AlertStore {
  readonly #db: Kysely<Database>;
  readonly #caps: Capabilities;

  constructor(db: Kysely<Database>, caps: Capabilities) {
    this.#db = db;
    this.#caps = caps;
  }

  async enqueue(a: { key: string; kind: string; payload: string; now: number }): Promise<boolean> {
    // The unique dedupe key settles races between processes: the second insert does nothing.
    const row = await this.#db
      .insertInto('alerts')
      .values({
        dedupe_key: a.key,
        kind: a.kind,
        payload: a.payload,
        created_at: a.now,
        next_attempt_at: a.now,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Claims in one statement. PostgreSQL skips rows another process is claiming; SQLite has a single
   * writer. The candidates are picked once, in a materialized CTE: as a plain `id IN (subquery)`,
   * PostgreSQL may rescan the locking subquery for every row of a nested loop, skip the rows this
   * very statement already updated, and so claim more than `limit`. The due condition is checked
   * again on the rows being updated, so a row settled or claimed meanwhile is left alone.
   */
  async claimDue(now: number, limit: number, leaseMs: number): Promise<StoredAlert[]> {
    const rows = await this.#db
      .with(
        (cte) => cte('due').materialized(),
        (db) => {
          let q = db
            .selectFrom('alerts')
            .select('id')
            .where((w) => isDue(w, now))
            .orderBy('next_attempt_at')
            .orderBy('id')
            .limit(limit);
          if (this.#caps.skipLocked) q = q.forUpdate().skipLocked();
          return q;
        },
      )
      .updateTable('alerts')
      .set((eb) => ({ claimed_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
      .where((eb) =>
        eb.and([eb('id', 'in', eb.selectFrom('due').select('due.id')), isDue(eb, now)]),
      )
      .returningAll()
      .execute();
    return rows.map(toStored).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
  }

  async markDelivered(id: number, sinks: string[], done: boolean, now: number): Promise<void> {
    await this.#db
      .updateTable('alerts')
      .set({
        delivered_to: sinks.join(','),
        ...(done ? { delivered_at: now, claimed_until: null, last_error: null } : {}),
      })
      .where('id', '=', id)
      .where('delivered_at', 'is', null)
      .execute();
  }

  async retryLater(
    id: number,
    sinksDone: string[],
    error: string,
    nextAttemptAt: number,
  ): Promise<void> {
    await this.#db
      .updateTable('alerts')
      .set({
        delivered_to: sinksDone.join(','),
        last_error: clip(error),
        next_attempt_at: nextAttemptAt,
        claimed_until: null,
      })
      .where('id', '=', id)
      .where('delivered_at', 'is', null)
      .execute();
  }

  async giveUp(id: number, sinksDone: string[], error: string, now: number): Promise<void> {
    await this.#db
      .updateTable('alerts')
      .set({
        delivered_to: sinksDone.join(','),
        // Never null: a settled alert with an error is a failed one.
        last_error: clip(error || 'gave up'),
        delivered_at: now,
        claimed_until: null,
      })
      .where('id', '=', id)
      .where('delivered_at', 'is', null)
      .execute();
  }

  async recent(limit: number): Promise<StoredAlert[]> {
    const rows = await this.#db
      .selectFrom('alerts')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toStored);
  }
}
