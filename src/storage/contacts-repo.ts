import { sql, type Kysely } from 'kysely';
import { appendAudit } from './audit-repo.ts';
import { escapeLike } from './callers-repo.ts';
import type { Database } from './schema.ts';

export interface ContactFilter {
  lineId?: number;
  from?: number;
  to?: number;
  /** A label, "clean" (no label) or "any" (at least one). */
  label?: string;
  replied?: boolean;
  reason?: string;
  callerId?: number;
  evidence?: boolean;
  /** Contacts whose text holds these words (any case), or from one of these callers. */
  search?: { words: string | null; callerIds: readonly number[] };
  /** Contacts with a smaller id (the next page). */
  before?: number;
  limit: number;
}

/** One contact as stored, with its line, caller and reply; the number still encrypted. */
export interface ContactRecord {
  id: number;
  at: number;
  lineId: number;
  lineNumber: string;
  kind: string;
  callerId: number;
  numberEnc: string;
  numberType: string;
  body: string | null;
  labels: string | null;
  outcome: string;
  evidenceAt: number | null;
  /** When an operator chose this text to be quoted in the complaint report. */
  quotedAt: number | null;
  callerBlocked: boolean;
  reply: ReplyRecord | null;
}

export interface ReplyRecord {
  id: number;
  state: string;
  reason: string | null;
  detail: string | null;
  dueAt: number;
  sentAt: number | null;
  costMicros: number | null;
  /** The provider's price in another currency than the caps' ("0.004 USD"), as reported. */
  reportedPrice: string | null;
}

export interface CallerRecord {
  id: number;
  numberEnc: string;
  numberType: string;
  country: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  contactCount: number;
  blocked: boolean;
  allowed: boolean;
  optedOutAt: number | null;
}

const n = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** The contact timeline and per-caller history read by operators; marking evidence is audited. */
export class ContactsRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  #select() {
    return this.#db
      .selectFrom('contacts as c')
      .innerJoin('lines as l', 'l.id', 'c.line_id')
      .innerJoin('callers as k', 'k.id', 'c.caller_id')
      .leftJoin('replies as r', 'r.id', 'c.reply_id')
      .select([
        'c.id',
        'c.received_at',
        'c.line_id',
        'l.number as line_number',
        'c.kind',
        'c.caller_id',
        'k.number_enc',
        'k.number_type',
        'k.blocked',
        'c.body',
        'c.labels',
        'c.outcome',
        'c.evidence_at',
        'c.quoted_at',
        'r.id as reply_id',
        'r.state as reply_state',
        'r.reason as reply_reason',
        'r.detail as reply_detail',
        'r.due_at as reply_due_at',
        'r.sent_at as reply_sent_at',
        'r.cost_micros as reply_cost',
        'r.reported_price as reply_reported_price',
      ]);
  }

  async list(f: ContactFilter): Promise<ContactRecord[]> {
    let q = this.#select();
    if (f.lineId !== undefined) q = q.where('c.line_id', '=', f.lineId);
    if (f.callerId !== undefined) q = q.where('c.caller_id', '=', f.callerId);
    if (f.from !== undefined) q = q.where('c.received_at', '>=', f.from);
    if (f.to !== undefined) q = q.where('c.received_at', '<', f.to);
    if (f.before !== undefined) q = q.where('c.id', '<', f.before);
    if (f.evidence) q = q.where('c.evidence_at', 'is not', null);
    if (f.label === 'clean') q = q.where('c.labels', 'is', null);
    else if (f.label === 'any') q = q.where('c.labels', 'is not', null);
    else if (f.label) q = q.where('c.labels', 'like', `%${f.label}%`);
    if (f.replied === true) q = q.where('r.state', '=', 'sent');
    if (f.replied === false)
      q = q.where((eb) => eb.or([eb('r.state', 'is', null), eb('r.state', '!=', 'sent')]));
    if (f.reason) q = q.where('r.reason', '=', f.reason);
    if (f.search) {
      const { words, callerIds } = f.search;
      q = q.where((eb) =>
        eb.or([
          ...(words === null
            ? []
            : [
                sql<boolean>`lower(c.body) like ${`%${escapeLike(words.toLowerCase())}%`} escape '\\'`,
              ]),
          ...(callerIds.length > 0 ? [eb('c.caller_id', 'in', [...callerIds])] : []),
          // Nothing can match: an empty OR.
          ...(words === null && callerIds.length === 0 ? [sql<boolean>`1 = 0`] : []),
        ]),
      );
    }
    const rows = await q.orderBy('c.id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.received_at),
      lineId: Number(r.line_id),
      lineNumber: r.line_number,
      kind: r.kind,
      callerId: Number(r.caller_id),
      numberEnc: r.number_enc,
      numberType: r.number_type,
      body: r.body,
      labels: r.labels,
      outcome: r.outcome,
      evidenceAt: n(r.evidence_at),
      quotedAt: n(r.quoted_at),
      callerBlocked: Number(r.blocked) === 1,
      reply:
        r.reply_id === null
          ? null
          : {
              id: Number(r.reply_id),
              state: r.reply_state ?? '',
              reason: r.reply_reason,
              detail: r.reply_detail,
              dueAt: Number(r.reply_due_at),
              sentAt: n(r.reply_sent_at),
              costMicros: n(r.reply_cost),
              reportedPrice: r.reply_reported_price,
            },
    }));
  }

  async find(id: number): Promise<ContactRecord | null> {
    return (await this.list({ before: id + 1, limit: 1 })).find((c) => c.id === id) ?? null;
  }

  /**
   * Chooses a text to be quoted in the complaint report (or takes it out); a quoted text is kept
   * as evidence too. False when nothing changed; an error for a call or an erased text.
   */
  async setQuoted(id: number, on: boolean, actor: string, now: number): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('contacts')
        .set(on ? { quoted_at: now, quoted_by: actor } : { quoted_at: null, quoted_by: null })
        .where('id', '=', id)
        .where('kind', '=', 'text')
        .where('body', 'is not', null)
        .where('quoted_at', on ? 'is' : 'is not', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      if (on)
        await tx
          .updateTable('contacts')
          .set({ evidence_at: now, evidence_by: actor })
          .where('id', '=', id)
          .where('evidence_at', 'is', null)
          .execute();
      await appendAudit(tx, {
        at: now,
        actor,
        action: on ? 'evidence.quote' : 'evidence.unquote',
        target: `contact #${id}`,
        detail: null,
      });
      return true;
    });
  }

  /** The journal references ("contact:12") of the texts chosen to be quoted, received in a period. */
  async quotedRefs(from: number, to: number, lineId: number | null): Promise<Set<string>> {
    let q = this.#db
      .selectFrom('contacts')
      .select('id')
      .where('quoted_at', 'is not', null)
      .where('received_at', '>=', from)
      .where('received_at', '<', to);
    if (lineId !== null) q = q.where('line_id', '=', lineId);
    return new Set((await q.execute()).map((r) => `contact:${Number(r.id)}`));
  }

  /** Marks a contact as evidence (or takes the mark off); false when nothing changed. */
  async setEvidence(id: number, on: boolean, actor: string, now: number): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('contacts')
        .set(
          on ? { evidence_at: now, evidence_by: actor } : { evidence_at: null, evidence_by: null },
        )
        .where('id', '=', id)
        .where('evidence_at', on ? 'is' : 'is not', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      await appendAudit(tx, {
        at: now,
        actor,
        action: on ? 'evidence.mark' : 'evidence.unmark',
        target: `contact #${id}`,
        detail: null,
      });
      return true;
    });
  }

  async caller(id: number): Promise<CallerRecord | null> {
    const r = await this.#db
      .selectFrom('callers')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!r) return null;
    return {
      id: Number(r.id),
      numberEnc: r.number_enc,
      numberType: r.number_type,
      country: r.country,
      firstSeenAt: Number(r.first_seen_at),
      lastSeenAt: Number(r.last_seen_at),
      contactCount: Number(r.contact_count),
      blocked: Number(r.blocked) === 1,
      allowed: Number(r.allowed) === 1,
      optedOutAt: n(r.opted_out_at),
    };
  }

  /** A caller's replies on every line, newest first, with the signals of their last decision. */
  async repliesOf(
    callerId: number,
  ): Promise<(ReplyRecord & { lineNumber: string; signals: string | null })[]> {
    const rows = await this.#db
      .selectFrom('replies as r')
      .innerJoin('lines as l', 'l.id', 'r.line_id')
      .select([
        'r.id',
        'r.state',
        'r.reason',
        'r.detail',
        'r.due_at',
        'r.sent_at',
        'r.cost_micros',
        'r.reported_price',
        'r.signals',
        'l.number',
      ])
      .where('r.caller_id', '=', callerId)
      .orderBy('r.id', 'desc')
      .limit(100)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      state: r.state,
      reason: r.reason,
      detail: r.detail,
      dueAt: Number(r.due_at),
      sentAt: n(r.sent_at),
      costMicros: n(r.cost_micros),
      reportedPrice: r.reported_price,
      signals: r.signals,
      lineNumber: r.number,
    }));
  }
}
