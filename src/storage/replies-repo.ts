import {
  sql,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type Transaction,
  type UpdateObject,
} from 'kysely';
import type { ReplyReason } from '../domain/types.ts';
import {
  LeaseLostError,
  type Cancellation,
  type ClaimedReply,
  type Hold,
  type ReplyContext,
  type ReplyStore,
  type Reservation,
  type ReserveOutcome,
} from '../scheduler/ports.ts';
import { replyRecord } from '../evidence/events.ts';
import { periodKey, replyPeriodKeys } from './budget-keys.ts';
import { appendEvidence } from './evidence-repo.ts';
import type { Capabilities } from './capabilities.ts';
import { LinesRepo } from './lines-repo.ts';
import type { Database, RepliesTable } from './schema.ts';

type Tx = Transaction<Database> | Kysely<Database>;

/** What a reply's evidence entry records, read back from the update that decided it. */
interface ReplyFacts {
  line_id: number;
  caller_id: number;
  reason: string | null;
  detail: string | null;
  reserved_micros: number;
  segments: number | null;
  signals: string | null;
}

/** Rolls a reservation back when the second cap does not fit after the first one was taken. */
class CapExceeded extends Error {
  readonly cap: 'day' | 'month' | 'paced';
  constructor(cap: 'day' | 'month' | 'paced') {
    super(cap);
    this.cap = cap;
  }
}

function toClaimed(row: Selectable<RepliesTable>): ClaimedReply {
  return {
    id: row.id,
    lineId: row.line_id,
    callerId: row.caller_id,
    dueAt: row.due_at,
    expiresAt: row.expires_at,
    attempts: row.attempts,
    idempotencyKey: row.idempotency_key,
    providerAttemptedAt: row.provider_attempted_at,
    providerSid: row.provider_sid,
    deliveryStatus: row.delivery_status,
    provider: row.provider,
    body: row.body,
    createdAt: row.created_at,
  };
}

/** Subtracts a reply's reservation from the budget periods it was taken from. */
export async function releaseReservation(
  tx: Tx,
  reply: {
    reserved_micros: number;
    budget_day: string | null;
    budget_month: string | null;
    budget_hour: string | null;
  },
): Promise<void> {
  if (reply.reserved_micros <= 0) return;
  const periods = replyPeriodKeys(reply);
  if (periods.length === 0) return;
  await tx
    .updateTable('budget_periods')
    .set((eb) => ({ reserved_micros: eb('reserved_micros', '-', reply.reserved_micros) }))
    .where('period', 'in', periods)
    .execute();
}

/** Due, or claimed by a worker whose lease ran out. */
function isClaimable(eb: ExpressionBuilder<Database, 'replies'>, now: number) {
  return eb.or([
    eb.and([eb('state', '=', 'scheduled'), eb('next_attempt_at', '<=', now)]),
    eb.and([eb('state', '=', 'sending'), eb('lease_until', '<', now)]),
  ]);
}

/** Enough history to judge a caller; a raider's hundreds of later contacts change nothing more. */
const MAX_CONTACTS_JUDGED = 200;
/** A number range counts as hammered from the callers it had within this window. */
const RANGE_WINDOW_MS = 3_600_000;

export class RepliesRepo implements ReplyStore {
  readonly #db: Kysely<Database>;
  readonly #caps: Capabilities;
  readonly #lines: LinesRepo;

  constructor(db: Kysely<Database>, caps: Capabilities) {
    this.#db = db;
    this.#caps = caps;
    this.#lines = new LinesRepo(db);
  }

  /**
   * Claims due replies and replies whose lease expired (their worker died) in one statement.
   * PostgreSQL skips rows another worker is claiming; SQLite has a single writer. The candidates
   * are picked once, in a materialized CTE: as a plain `id IN (subquery)`, PostgreSQL may rescan
   * the locking subquery for every row, skip the rows this statement already updated, and claim
   * more than `limit`. The due condition is checked again on the rows being updated.
   */
  async claimDue(
    now: number,
    limit: number,
    worker: string,
    leaseMs: number,
  ): Promise<ClaimedReply[]> {
    const rows = await this.#db
      .with(
        (cte) => cte('due').materialized(),
        (db) => {
          let q = db
            .selectFrom('replies')
            .select('id')
            .where((w) => isClaimable(w, now))
            // The least hostile first (the pacing's order), then in the order they fell due.
            .orderBy('priority')
            .orderBy('due_at')
            .limit(limit);
          if (this.#caps.skipLocked) q = q.forUpdate().skipLocked();
          return q;
        },
      )
      .updateTable('replies')
      .set({ state: 'sending', claimed_by: worker, lease_until: now + leaseMs })
      .where((eb) =>
        eb.and([eb('id', 'in', eb.selectFrom('due').select('due.id')), isClaimable(eb, now)]),
      )
      .returningAll()
      .execute();
    rows.sort((a, b) => a.priority - b.priority || a.due_at - b.due_at);
    return rows.map(toClaimed);
  }

  async context(reply: ClaimedReply, now: number): Promise<ReplyContext | null> {
    const line = await this.#lines.findById(reply.lineId);
    const caller = await this.#db
      .selectFrom('callers')
      .select(['number_enc', 'blocked', 'allowed', 'opted_out_at', 'prefix_index'])
      .where('id', '=', reply.callerId)
      .executeTakeFirst();
    if (!line || !caller) return null;
    const earlier = await this.#db
      .selectFrom('replies')
      .select('id')
      .where('line_id', '=', reply.lineId)
      .where('caller_id', '=', reply.callerId)
      .where('state', '=', 'sent')
      .where('id', '!=', reply.id)
      .where('sent_at', '>=', reply.createdAt - line.cooldownMs)
      .limit(1)
      .executeTakeFirst();
    const contacts = await this.#db
      .selectFrom('contacts')
      .select(['received_at', 'labels', 'body'])
      .where('caller_id', '=', reply.callerId)
      .where('line_id', '=', reply.lineId)
      .where('received_at', '>=', reply.createdAt)
      .orderBy('received_at')
      .limit(MAX_CONTACTS_JUDGED)
      .execute();
    let rangeCallers = 0;
    if (caller.prefix_index !== null) {
      const range = await this.#db
        .selectFrom('contacts')
        .innerJoin('callers', 'callers.id', 'contacts.caller_id')
        .select((eb) => eb.fn.count<number>('contacts.caller_id').distinct().as('n'))
        .where('callers.prefix_index', '=', caller.prefix_index)
        .where('contacts.line_id', '=', reply.lineId)
        .where('contacts.received_at', '>', now - RANGE_WINDOW_MS)
        .executeTakeFirstOrThrow();
      rangeCallers = Number(range.n);
    }
    // Shield periods that overlap the delay: one of them covering the scheduling contact means
    // the caller arrived during the raid.
    const periods = await this.#db
      .selectFrom('shield_periods')
      .select('started_at')
      .where('line_id', '=', reply.lineId)
      .where('started_at', '<=', now)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', reply.createdAt)]))
      .execute();
    return {
      line,
      callerNumberEnc: caller.number_enc,
      caller: {
        blocked: caller.blocked === 1,
        allowed: caller.allowed === 1,
        optedOut: caller.opted_out_at !== null,
      },
      alreadyRepliedWithinCooldown: earlier !== undefined,
      contacts: contacts.map((c) => ({
        at: c.received_at,
        labels: c.labels ? c.labels.split(',') : [],
        body: c.body,
      })),
      rangeCallers,
      arrivedDuringShield: periods.some((p) => p.started_at <= reply.createdAt),
      shieldDuringDelay: periods.length > 0,
    };
  }

  async hold(id: number, worker: string, h: Hold): Promise<void> {
    await this.#update(this.#db, id, worker, {
      state: 'scheduled',
      reason: h.reason,
      detail: h.detail,
      next_attempt_at: h.until,
      claimed_by: null,
      lease_until: null,
      decided_at: h.now,
      ...(h.trace ? { signals: h.trace.signals, priority: h.trace.priority } : {}),
    });
  }

  async cancel(id: number, worker: string, c: Cancellation): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const row = await this.#held(tx, id, worker);
      await releaseReservation(tx, row);
      const done = await this.#update(tx, id, worker, {
        state: 'cancelled',
        reason: c.reason,
        detail: c.detail,
        ...(c.trace ? { signals: c.trace.signals, priority: c.trace.priority } : {}),
        claimed_by: null,
        lease_until: null,
        reserved_micros: 0,
        decided_at: c.now,
      });
      await this.#journal(tx, id, done, 'cancelled', c.now, null);
    });
  }

  async pacedAheadMicros(
    lineId: number,
    reply: { id: number; priority: number; dueAt: number },
    costMicros: number,
  ): Promise<number> {
    const row = await this.#db
      .selectFrom('replies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('line_id', '=', lineId)
      .where('state', '=', 'scheduled')
      .where('reason', '=', 'paced')
      .where('id', '!=', reply.id)
      .where((eb) =>
        eb.or([
          eb('priority', '<', reply.priority),
          eb.and([eb('priority', '=', reply.priority), eb('due_at', '<', reply.dueAt)]),
        ]),
      )
      .executeTakeFirstOrThrow();
    return Number(row.n) * costMicros;
  }

  async reserve(id: number, worker: string, r: Reservation): Promise<ReserveOutcome> {
    try {
      await this.#db.transaction().execute(async (tx) => {
        const day = periodKey('day', r.day);
        const month = periodKey('month', r.month);
        await tx
          .insertInto('budget_periods')
          .values([
            { period: day, reserved_micros: 0, committed_micros: 0 },
            { period: month, reserved_micros: 0, committed_micros: 0 },
          ])
          .onConflict((oc) => oc.column('period').doNothing())
          .execute();
        const limits: [string, number, 'day' | 'month' | 'paced'][] = [
          [day, r.caps.dailyMicros, 'day'],
          [month, r.caps.monthlyMicros, 'month'],
        ];
        // The paced ceiling is checked last: a reply that fits it but not a cap says which cap.
        if (r.pace) limits.push([day, r.pace.ceilingMicros, 'paced']);
        for (const [period, cap, name] of limits) {
          // The cap check and the increment are one statement: PostgreSQL re-checks the condition on
          // the locked row, SQLite runs one writer at a time, so concurrent workers cannot overshoot.
          // The paced ceiling only checks: the day's row already holds this cost (its cap came first).
          const add = name === 'paced' ? 0 : r.costMicros;
          const res = await tx
            .updateTable('budget_periods')
            .set((eb) => ({ reserved_micros: eb('reserved_micros', '+', add) }))
            .where('period', '=', period)
            .where(sql<number>`reserved_micros + committed_micros + ${add}`, '<=', cap)
            .executeTakeFirst();
          if (Number(res.numUpdatedRows) !== 1) throw new CapExceeded(name);
        }
        await this.#update(tx, id, worker, {
          provider_attempted_at: r.now,
          lease_until: r.leaseUntil,
          provider: r.provider,
          body: r.body,
          segments: r.segments,
          encoding: r.encoding,
          reserved_micros: r.costMicros,
          budget_day: r.day,
          budget_month: r.month,
          budget_hour: null,
          signals: r.trace.signals,
          priority: r.trace.priority,
          attempts: sql<number>`attempts + 1`,
        });
      });
      return 'reserved';
    } catch (error) {
      if (error instanceof CapExceeded) return error.cap;
      throw error;
    }
  }

  async markSent(
    id: number,
    worker: string,
    s: { sid: string; status: string; now: number },
  ): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const done = await this.#update(tx, id, worker, {
        state: 'sent',
        reason: 'sent',
        detail: null,
        // A report may already have named a message of this reply (an earlier send whose outcome
        // was unknown): it stays the reply's own, and this one, when it reports, another.
        provider_sid: sql<string>`coalesce(provider_sid, ${s.sid})`,
        // A status callback may already have reported a later stage.
        delivery_status: sql<string>`coalesce(delivery_status, ${s.status})`,
        claimed_by: null,
        lease_until: null,
        decided_at: s.now,
        sent_at: s.now,
      });
      await this.#journal(tx, id, done, 'sent', s.now, done.reserved_micros);
    });
  }

  async retryLater(
    id: number,
    worker: string,
    r: { until: number; errorCode: string | null; detail: string; now: number; released: boolean },
  ): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      if (r.released) await releaseReservation(tx, await this.#held(tx, id, worker));
      await this.#update(tx, id, worker, {
        state: 'scheduled',
        reason: 'provider_retry',
        detail: r.detail,
        error_code: r.errorCode,
        next_attempt_at: r.until,
        claimed_by: null,
        lease_until: null,
        decided_at: r.now,
        ...(r.released ? { provider_attempted_at: null, reserved_micros: 0 } : {}),
      });
    });
  }

  async fail(
    id: number,
    worker: string,
    f: { reason: ReplyReason; errorCode: string | null; detail: string; now: number },
  ): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const row = await this.#held(tx, id, worker);
      await releaseReservation(tx, row);
      const done = await this.#update(tx, id, worker, {
        state: 'failed',
        reason: f.reason,
        detail: f.detail,
        error_code: f.errorCode,
        provider_attempted_at: null,
        reserved_micros: 0,
        claimed_by: null,
        lease_until: null,
        decided_at: f.now,
      });
      await this.#journal(tx, id, done, 'failed', f.now, null);
    });
  }

  async clearAttempt(id: number, worker: string): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const row = await this.#held(tx, id, worker);
      await releaseReservation(tx, row);
      await this.#update(tx, id, worker, { provider_attempted_at: null, reserved_micros: 0 });
    });
  }

  /** Reads (and on PostgreSQL locks) a reply this worker holds, before releasing its reservation. */
  async #held(tx: Tx, id: number, worker: string) {
    let query = tx
      .selectFrom('replies')
      .select(['reserved_micros', 'budget_day', 'budget_month', 'budget_hour'])
      .where('id', '=', id)
      .where('claimed_by', '=', worker)
      .where('state', '=', 'sending');
    if (this.#caps.rowLocks) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw new LeaseLostError(id);
    return row;
  }

  /** Updates a reply this worker holds; returns what the evidence journal records of it. */
  async #update(
    tx: Tx,
    id: number,
    worker: string,
    set: UpdateObject<Database, 'replies'>,
  ): Promise<ReplyFacts> {
    const row = await tx
      .updateTable('replies')
      .set(set)
      .where('id', '=', id)
      .where('claimed_by', '=', worker)
      .where('state', '=', 'sending')
      .returning([
        'line_id',
        'caller_id',
        'reason',
        'detail',
        'reserved_micros',
        'segments',
        'signals',
      ])
      .executeTakeFirst();
    if (!row) throw new LeaseLostError(id);
    return row;
  }

  /** Records a reply's final decision in the evidence journal, in its transaction. */
  async #journal(
    tx: Tx,
    id: number,
    row: ReplyFacts,
    state: 'sent' | 'cancelled' | 'failed',
    at: number,
    costMicros: number | null,
  ): Promise<void> {
    await appendEvidence(
      tx,
      [
        replyRecord({
          replyId: id,
          at,
          lineId: Number(row.line_id),
          callerId: Number(row.caller_id),
          state,
          reason: row.reason,
          detail: row.detail,
          costMicros: costMicros === null ? null : Number(costMicros),
          segments: row.segments,
          signals: row.signals,
        }),
      ],
      null,
    );
  }
}
