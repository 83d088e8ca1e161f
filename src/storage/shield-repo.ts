import { sql, type Kysely } from 'kysely';
import type { ShieldMode } from '../domain/types.ts';
import { shieldRecord } from '../evidence/events.ts';
import { appendAudit } from './audit-repo.ts';
import { appendEvidence } from './evidence-repo.ts';
import type { Database } from './schema.ts';

import type { ShieldChange, ShieldStore, TrafficCount } from '../hotline/shield-monitor.ts';
import { HOSTILE_LABELS } from '../policy/hostility.ts';
import { hasLabel } from './labels-sql.ts';
import { parseShieldReason, type ShieldReason } from '../policy/shield-reason.ts';

/** A newcomer who came back this many times within the window counts as hostile. */
const HOSTILE_NEWCOMER_CONTACTS = 3;

export interface ShieldPeriod {
  lineId: number;
  startedAt: number;
  endedAt: number | null;
  trigger: string;
  detail: string | null;
  /** Why it started and ended, with the figures; null for periods stored before reasons were. */
  reason: ShieldReason | null;
  endReason: ShieldReason | null;
}

/** Traffic measurements and shield state of lines. */
export class ShieldRepo implements ShieldStore {
  readonly #db: Kysely<Database>;
  /** Called after every change to a line, so this process's line directory reads it again. */
  readonly #onChange: () => void;
  constructor(db: Kysely<Database>, onChange: () => void = () => {}) {
    this.#db = db;
    this.#onChange = onChange;
  }

  /** Contacts and first-time callers of a line in [from, to). */
  async traffic(lineId: number, from: number, to: number): Promise<TrafficCount> {
    const row = await this.#db
      .selectFrom('contacts')
      .innerJoin('callers', 'callers.id', 'contacts.caller_id')
      .select((eb) => [
        eb.fn.countAll<number>().as('contacts'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when('callers.first_seen_at', '=', eb.ref('contacts.received_at'))
              .then(1)
              .else(0)
              .end(),
          )
          .as('new_callers'),
      ])
      .where('contacts.line_id', '=', lineId)
      .where('contacts.received_at', '>=', from)
      .where('contacts.received_at', '<', to)
      .executeTakeFirstOrThrow();
    return { contacts: Number(row.contacts), newCallers: Number(row.new_callers ?? 0) };
  }

  /**
   * Hostile newcomers of a line in [from, to): callers first seen in that window whose contacts in
   * it include a text labelled insult, threat, sexual or spam, or who got in touch three times or
   * more (came back again and again before any reply could be due).
   */
  async hostileNewcomers(lineId: number, from: number, to: number): Promise<number> {
    const abusive = hasLabel('contacts.labels', HOSTILE_LABELS);

    const row = await this.#db
      .selectFrom((db) =>
        db
          .selectFrom('contacts')
          .innerJoin('callers', 'callers.id', 'contacts.caller_id')
          .select('contacts.caller_id')
          .where('contacts.line_id', '=', lineId)
          .where('contacts.received_at', '>=', from)
          .where('contacts.received_at', '<', to)
          .where('callers.first_seen_at', '>=', from)
          .where('callers.first_seen_at', '<', to)
          .groupBy('contacts.caller_id')
          .having((eb) =>
            eb.or([
              eb(sql<number>`sum(case when ${abusive} then 1 else 0 end)`, '>', 0),
              eb(eb.fn.countAll(), '>=', HOSTILE_NEWCOMER_CONTACTS),
            ]),
          )
          .as('hostile'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async threats(
    lineId: number,
    from: number,
    to: number,
  ): Promise<{ contactId: number; callerId: number; at: number }[]> {
    const rows = await this.#db
      .selectFrom('contacts')
      .select(['id', 'caller_id', 'received_at'])
      .where('line_id', '=', lineId)
      .where('received_at', '>=', from)
      .where('received_at', '<', to)
      .where(hasLabel('contacts.labels', ['threat']))
      .orderBy('received_at')
      .execute();
    return rows.map((r) => ({ contactId: r.id, callerId: r.caller_id, at: r.received_at }));
  }

  /** Shield periods of a line overlapping [from, to), oldest first. */
  async periods(lineId: number | null, from: number, to: number): Promise<ShieldPeriod[]> {
    let q = this.#db
      .selectFrom('shield_periods')
      .selectAll()
      .where('started_at', '<', to)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', from)]));
    if (lineId !== null) q = q.where('line_id', '=', lineId);
    const rows = await q.orderBy('started_at').execute();
    return rows.map((r) => ({
      lineId: r.line_id,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      trigger: r.trigger,
      detail: r.detail,
      reason: parseShieldReason(r.reason),
      endReason: parseShieldReason(r.end_reason),
    }));
  }

  /** Records the last surge seen while the shield stays as it is. */
  async touch(lineId: number, lastSurgeAt: number): Promise<void> {
    await this.#db
      .updateTable('lines')
      .set({ shield_last_surge_at: lastSurgeAt })
      .where('id', '=', lineId)
      .execute();
  }

  /**
   * Switches the shield, if it is still in the state this process saw (several monitors may run):
   * opens or closes its period, and on leaving makes the replies it paced due at once. Returns
   * whether this call made the change.
   */
  async switch(lineId: number, change: ShieldChange): Promise<boolean> {
    try {
      // Awaited here, so that the copies in memory are told once the change is committed: told
      // before, a process reading them again at once (another PostgreSQL connection) would read
      // the old state and hold it for a second.
      return await this.#db.transaction().execute(async (tx) => {
        const res = await tx
          .updateTable('lines')
          .set({
            shield_active: change.active ? 1 : 0,
            shield_since: change.active ? change.now : null,
            shield_last_surge_at: change.now,
          })
          .where('id', '=', lineId)
          .where('shield_active', '=', change.wasActive ? 1 : 0)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return false;
        const record = (periodId: number) =>
          shieldRecord({
            periodId,
            at: change.now,
            lineId,
            active: change.active,
            trigger: change.trigger,
            detail: change.detail,
          });
        if (change.active) {
          const period = await tx
            .insertInto('shield_periods')
            .values({
              line_id: lineId,
              started_at: change.now,
              trigger: change.trigger,
              detail: change.detail,
              reason: JSON.stringify(change.reason),
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await appendEvidence(tx, [record(Number(period.id))], null);
        } else {
          const ended = await tx
            .updateTable('shield_periods')
            .set({ ended_at: change.now, end_reason: JSON.stringify(change.reason) })
            .where('line_id', '=', lineId)
            .where('ended_at', 'is', null)
            .returning('id')
            .execute();
          await appendEvidence(
            tx,
            ended.map((p) => record(Number(p.id))),
            null,
          );
          await tx
            .updateTable('replies')
            .set({ next_attempt_at: change.now })
            .where('line_id', '=', lineId)
            .where('state', '=', 'scheduled')
            // Paced replies (and those held by the hourly slice of earlier versions) wait no more.
            .where('reason', 'in', ['paced', 'shield'])
            .execute();
        }
        return true;
      });
    } finally {
      this.#onChange();
    }
  }

  /** An operator's choice of mode, audited. The monitor applies it at its next look. */
  async setMode(lineId: number, mode: ShieldMode, actor: string, now: number): Promise<void> {
    try {
      await this.#db.transaction().execute(async (tx) => {
        const line = await tx
          .updateTable('lines')
          .set({ shield_mode: mode, updated_at: now })
          .where('id', '=', lineId)
          .returning('number')
          .executeTakeFirst();
        if (!line) return;
        await appendAudit(tx, {
          at: now,
          actor,
          action: `shield.${mode}`,
          target: line.number,
          detail: null,
        });
      });
    } finally {
      this.#onChange();
    }
  }
}
