import { sql, type Kysely, type Transaction } from 'kysely';
import { appendAudit, type AuditEntry } from './audit-repo.ts';
import type { Capabilities } from './capabilities.ts';
import { hostileCaller, keptContact } from './evidence-exception.ts';
import { evidenceFacts, type EvidenceFacts } from './evidence-facts.ts';
import type { Database } from './schema.ts';
import { eraseCaller, type SubjectErasure } from './subject-erasure.ts';

type Tx = Transaction<Database> | Kysely<Database>;

/** One caller row, as a data subject's request reads it. */
export interface SubjectCaller {
  id: number;
  numberType: string;
  country: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  contactCount: number;
  blocked: boolean;
  allowed: boolean;
  optedOutAt: number | null;
  evidenceReleasedAt: number | null;
  /** Rule 1, as evidence-exception.ts decides it. */
  hostile: boolean;
}

export interface SubjectContact {
  id: number;
  at: number;
  lineNumber: string;
  kind: string;
  body: string | null;
  labels: string[];
  outcome: string;
  replyId: number | null;
  evidenceAt: number | null;
  evidenceBy: string | null;
  kept: boolean;
}

export interface SubjectReply {
  id: number;
  lineNumber: string;
  state: string;
  reason: string | null;
  detail: string | null;
  createdAt: number;
  dueAt: number;
  sentAt: number | null;
  body: string | null;
  segments: number | null;
}

export interface SubjectMessage {
  at: number;
  from: string;
  body: string;
  segments: number;
}

export interface SubjectJournalEntry {
  seq: number | null;
  at: number;
  kind: string;
  ref: string | null;
  /** Stored content: plain JSON or encrypted; null once erased. */
  content: string | null;
  erasedAt: number | null;
}

/**
 * A data subject's records: the export of everything held about one number, and its erasure
 * but for what the evidence exception keeps. Journal entries of erased rows lose their content,
 * time of erasure recorded, while their hashes stay so the chain still verifies.
 */
export class SubjectRepo {
  readonly #db: Kysely<Database>;
  readonly #caps: Capabilities;

  constructor(db: Kysely<Database>, caps: Capabilities) {
    this.#db = db;
    this.#caps = caps;
  }

  /** Appends to the audit log (and so to the journal). */
  audit(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    return appendAudit(this.#db, entry);
  }

  /** The caller row of a number's blind index, with rule 1 decided by evidence-exception.ts. */
  async findCaller(numberIndex: string, db: Tx = this.#db): Promise<SubjectCaller | null> {
    let query = db
      .selectFrom('callers as k')
      .selectAll('k')
      .select(
        sql<number>`case when ${hostileCaller(sql.ref('k.id'))} then 1 else 0 end`.as('hostile'),
      )
      .where('k.number_index', '=', numberIndex);
    if (this.#caps.rowLocks && db.isTransaction) query = query.forUpdate();
    const r = await query.executeTakeFirst();
    if (!r) return null;
    return {
      id: Number(r.id),
      numberType: r.number_type,
      country: r.country,
      firstSeenAt: Number(r.first_seen_at),
      lastSeenAt: Number(r.last_seen_at),
      contactCount: Number(r.contact_count),
      blocked: Number(r.blocked) === 1,
      allowed: Number(r.allowed) === 1,
      optedOutAt: r.opted_out_at === null ? null : Number(r.opted_out_at),
      evidenceReleasedAt: r.evidence_released_at === null ? null : Number(r.evidence_released_at),
      hostile: Number(r.hostile) === 1,
    };
  }

  async contactsOf(callerId: number, db: Tx = this.#db): Promise<SubjectContact[]> {
    const rows = await db
      .selectFrom('contacts as c')
      .innerJoin('lines as l', 'l.id', 'c.line_id')
      .select([
        'c.id',
        'c.received_at',
        'l.number',
        'c.kind',
        'c.body',
        'c.labels',
        'c.outcome',
        'c.reply_id',
        'c.evidence_at',
        'c.evidence_by',
        sql<number>`case when ${keptContact('c')} then 1 else 0 end`.as('kept'),
      ])
      .where('c.caller_id', '=', callerId)
      .orderBy('c.received_at')
      .orderBy('c.id')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.received_at),
      lineNumber: r.number,
      kind: r.kind,
      body: r.body,
      labels: (r.labels ?? '').split(',').filter(Boolean),
      outcome: r.outcome,
      replyId: r.reply_id === null ? null : Number(r.reply_id),
      evidenceAt: r.evidence_at === null ? null : Number(r.evidence_at),
      evidenceBy: r.evidence_by,
      kept: Number(r.kept) === 1,
    }));
  }

  async repliesOf(callerId: number, db: Tx = this.#db): Promise<SubjectReply[]> {
    const rows = await db
      .selectFrom('replies as r')
      .innerJoin('lines as l', 'l.id', 'r.line_id')
      .select([
        'r.id',
        'l.number',
        'r.state',
        'r.reason',
        'r.detail',
        'r.created_at',
        'r.due_at',
        'r.sent_at',
        'r.body',
        'r.segments',
      ])
      .where('r.caller_id', '=', callerId)
      .orderBy('r.created_at')
      .orderBy('r.id')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      lineNumber: r.number,
      state: r.state,
      reason: r.reason,
      detail: r.detail,
      createdAt: Number(r.created_at),
      dueAt: Number(r.due_at),
      sentAt: r.sent_at === null ? null : Number(r.sent_at),
      body: r.body,
      segments: r.segments === null ? null : Number(r.segments),
    }));
  }

  /** Simulator outbox messages to a number's blind index. */
  async messagesTo(numberIndex: string): Promise<SubjectMessage[]> {
    const rows = await this.#db
      .selectFrom('sim_messages')
      .select(['created_at', 'from_number', 'body', 'segments'])
      .where('to_index', '=', numberIndex)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      at: Number(r.created_at),
      from: r.from_number,
      body: r.body,
      segments: Number(r.segments),
    }));
  }

  /** Journal entries about a caller, in the order they were recorded. */
  async journalOf(callerId: number): Promise<SubjectJournalEntry[]> {
    const rows = await this.#db
      .selectFrom('evidence_log')
      .select(['id', 'seq', 'at', 'kind', 'ref', 'content', 'erased_at'])
      .where('caller_id', '=', callerId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      seq: r.seq === null ? null : Number(r.seq),
      at: Number(r.at),
      kind: r.kind,
      ref: r.ref,
      content: r.content,
      erasedAt: r.erased_at === null ? null : Number(r.erased_at),
    }));
  }

  /** The facts behind the evidence exception for one caller, to say in words why it applies. */
  evidenceFacts(callerId: number, db: Tx = this.#db): Promise<EvidenceFacts | null> {
    return evidenceFacts(db, callerId);
  }

  /**
   * Erases everything about one number but what the evidence exception keeps, in one
   * transaction (on PostgreSQL the caller row is locked first, as the intake locks it): contacts
   * not kept, replies no kept contact refers to (a pending one is cancelled and erased; one a kept
   * contact refers to is cancelled in place; one being sent is left alone), simulator messages,
   * the journal contents of what went, and the caller row when nothing of theirs remains, unless
   * it carries an opt-out (STOP must keep being honoured) or a block (an operator's rule).
   */
  async eraseSubject(s: {
    numberIndex: string;
    now: number;
    actor: string;
    masked: string;
  }): Promise<SubjectErasure> {
    return this.#db.transaction().execute(async (tx) => {
      const caller = await this.findCaller(s.numberIndex, tx);
      const messages = await tx
        .deleteFrom('sim_messages')
        .where('to_index', '=', s.numberIndex)
        .executeTakeFirst();
      const out: SubjectErasure = {
        contacts: 0,
        replies: 0,
        messages: Number(messages.numDeletedRows),
        journalEntries: 0,
        keptContacts: 0,
        keptReplies: 0,
        keptJournalEntries: 0,
        cancelledInPlace: [],
        inFlight: [],
        callerRow: 'none',
        facts: null,
        optedOutAt: caller?.optedOutAt ?? null,
        blocked: caller?.blocked ?? false,
      };
      if (caller) await eraseCaller(tx, caller, s.now, out);
      if (caller || out.messages > 0)
        await appendAudit(tx, {
          at: s.now,
          actor: s.actor,
          action: 'privacy.erase',
          target: s.masked,
          detail: {
            contacts: out.contacts,
            replies: out.replies,
            messages: out.messages,
            journalEntries: out.journalEntries,
            keptContacts: out.keptContacts,
            keptJournalEntries: out.keptJournalEntries,
            callerRow: out.callerRow,
          },
        });
      return out;
    });
  }
}
