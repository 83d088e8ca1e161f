import { sql, type Kysely } from 'kysely';
import { appendAudit } from './audit-repo.ts';
import type { ReplyRecord } from './contacts-repo.ts';
import type { Database } from './schema.ts';

/** Which contacts count: the grouped list shows each caller with those only. */
export interface CallerFilter {
  lineId?: number;
  from?: number;
  to?: number;
  /** What became of the caller's replies: sent, waiting, held, cancelled, or none at all. */
  decision?: CallerDecision;
  /** Only callers on the blocklist (true) or not (false). */
  blocked?: boolean;
}

export type CallerDecision = 'sent' | 'waiting' | 'held' | 'cancelled' | 'none';
export const CALLER_DECISIONS: readonly CallerDecision[] = [
  'sent',
  'waiting',
  'held',
  'cancelled',
  'none',
];

/** One caller and his contacts that pass the filter; the number still encrypted. */
export interface CallerGroupRecord {
  callerId: number;
  numberEnc: string;
  numberType: string;
  blocked: boolean;
  allowed: boolean;
  contacts: number;
  calls: number;
  texts: number;
  lastAt: number;
  /** Contacts of his marked as evidence. */
  evidence: number;
}

/** A caller's newest text and newest reply, for his line in the list. */
export interface CallerLatest {
  text: { body: string; labels: string | null } | null;
  reply: ReplyRecord | null;
}

/** Where the next page starts: callers seen before (lastAt, callerId). */
export interface CallerCursor {
  lastAt: number;
  callerId: number;
}

/**
 * Contacts grouped by caller for the dashboard's callers list, newest first, and what operators do
 * to several callers at once (marking their contacts as evidence; audited).
 */
export class CallersRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Callers with at least one contact passing `f`, newest contact first, after `cursor`. */
  async groups(
    f: CallerFilter,
    cursor: CallerCursor | null,
    limit: number,
  ): Promise<CallerGroupRecord[]> {
    let q = this.#db
      .selectFrom('contacts as c')
      .innerJoin('callers as k', 'k.id', 'c.caller_id')
      .leftJoin('replies as r', 'r.id', 'c.reply_id')
      .select([
        'k.id',
        'k.number_enc',
        'k.number_type',
        'k.blocked',
        'k.allowed',
        (eb) => eb.fn.countAll<number>().as('n'),
        sql<number>`sum(case when c.kind = 'call' then 1 else 0 end)`.as('calls'),
        sql<number>`sum(case when c.kind = 'text' then 1 else 0 end)`.as('texts'),
        sql<number>`sum(case when c.evidence_at is not null then 1 else 0 end)`.as('evidence'),
        (eb) => eb.fn.max('c.received_at').as('last'),
      ]);
    if (f.lineId !== undefined) q = q.where('c.line_id', '=', f.lineId);
    if (f.from !== undefined) q = q.where('c.received_at', '>=', f.from);
    if (f.to !== undefined) q = q.where('c.received_at', '<', f.to);
    if (f.blocked !== undefined) q = q.where('k.blocked', '=', f.blocked ? 1 : 0);
    if (f.decision === 'none') q = q.where('c.reply_id', 'is', null);
    else if (f.decision === 'sent') q = q.where('r.state', '=', 'sent');
    else if (f.decision === 'cancelled') q = q.where('r.state', 'in', ['cancelled', 'failed']);
    else if (f.decision === 'waiting')
      q = q.where('r.state', 'in', ['scheduled', 'sending']).where('r.reason', 'is', null);
    else if (f.decision === 'held')
      q = q.where('r.state', 'in', ['scheduled', 'sending']).where('r.reason', 'is not', null);
    let grouped = q.groupBy(['k.id', 'k.number_enc', 'k.number_type', 'k.blocked', 'k.allowed']);
    if (cursor)
      grouped = grouped.having((eb) =>
        eb.or([
          eb(eb.fn.max('c.received_at'), '<', cursor.lastAt),
          eb.and([
            eb(eb.fn.max('c.received_at'), '=', cursor.lastAt),
            eb('k.id', '<', cursor.callerId),
          ]),
        ]),
      );
    const rows = await grouped
      .orderBy('last', 'desc')
      .orderBy('k.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      callerId: Number(r.id),
      numberEnc: r.number_enc,
      numberType: r.number_type,
      blocked: Number(r.blocked) === 1,
      allowed: Number(r.allowed) === 1,
      contacts: Number(r.n),
      calls: Number(r.calls),
      texts: Number(r.texts),
      lastAt: Number(r.last),
      evidence: Number(r.evidence),
    }));
  }

  /** Callers some of whose texts passing `f` hold `words` (any case). */
  async withWords(f: CallerFilter, words: string): Promise<Set<number>> {
    let q = this.#db
      .selectFrom('contacts')
      .select('caller_id')
      .distinct()
      .where(sql<boolean>`lower(body) like ${`%${escapeLike(words.toLowerCase())}%`} escape '\\'`);
    if (f.lineId !== undefined) q = q.where('line_id', '=', f.lineId);
    if (f.from !== undefined) q = q.where('received_at', '>=', f.from);
    if (f.to !== undefined) q = q.where('received_at', '<', f.to);
    return new Set((await q.execute()).map((r) => Number(r.caller_id)));
  }

  /** Each caller's newest text and newest reply (on the line, if one is given). */
  async latest(callerIds: number[], lineId?: number): Promise<Map<number, CallerLatest>> {
    const result = new Map<number, CallerLatest>(
      callerIds.map((id) => [id, { text: null, reply: null }]),
    );
    if (callerIds.length === 0) return result;
    let texts = this.#db
      .selectFrom('contacts')
      .select(['caller_id', 'body', 'labels', 'id'])
      .where('caller_id', 'in', callerIds)
      .where('kind', '=', 'text')
      .where('body', 'is not', null)
      .where('id', 'in', (eb) => {
        let newest = eb
          .selectFrom('contacts')
          .select((e) => e.fn.max('id').as('id'))
          .where('caller_id', 'in', callerIds)
          .where('kind', '=', 'text')
          .where('body', 'is not', null)
          .groupBy('caller_id');
        if (lineId !== undefined) newest = newest.where('line_id', '=', lineId);
        return newest;
      });
    if (lineId !== undefined) texts = texts.where('line_id', '=', lineId);
    let replies = this.#db
      .selectFrom('replies')
      .select([
        'id',
        'caller_id',
        'state',
        'reason',
        'detail',
        'due_at',
        'sent_at',
        'cost_micros',
        'reported_price',
      ])
      .where('id', 'in', (eb) => {
        let newest = eb
          .selectFrom('replies')
          .select((e) => e.fn.max('id').as('id'))
          .where('caller_id', 'in', callerIds)
          .groupBy('caller_id');
        if (lineId !== undefined) newest = newest.where('line_id', '=', lineId);
        return newest;
      });
    if (lineId !== undefined) replies = replies.where('line_id', '=', lineId);
    const [textRows, replyRows] = await Promise.all([texts.execute(), replies.execute()]);
    for (const t of textRows)
      result.get(Number(t.caller_id))!.text = { body: t.body ?? '', labels: t.labels };
    for (const r of replyRows)
      result.get(Number(r.caller_id))!.reply = {
        id: Number(r.id),
        state: r.state,
        reason: r.reason,
        detail: r.detail,
        dueAt: Number(r.due_at),
        sentAt: r.sent_at === null ? null : Number(r.sent_at),
        costMicros: r.cost_micros === null ? null : Number(r.cost_micros),
        reportedPrice: r.reported_price,
      };
    return result;
  }

  /** Marks every contact of a caller as evidence (or takes the marks off); how many changed. */
  async setEvidence(callerId: number, on: boolean, actor: string, now: number): Promise<number> {
    return this.#db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('contacts')
        .set(
          on ? { evidence_at: now, evidence_by: actor } : { evidence_at: null, evidence_by: null },
        )
        .where('caller_id', '=', callerId)
        .where('evidence_at', on ? 'is' : 'is not', null)
        .executeTakeFirst();
      const changed = Number(res.numUpdatedRows);
      if (changed > 0)
        await appendAudit(tx, {
          at: now,
          actor,
          action: on ? 'evidence.mark' : 'evidence.unmark',
          target: `caller #${callerId}`,
          detail: { contacts: changed },
        });
      return changed;
    });
  }
}

/** Words typed by an operator, safe inside LIKE: % and _ match themselves. */
export function escapeLike(words: string): string {
  return words.replace(/[\\%_]/g, (c) => `\\${c}`);
}
