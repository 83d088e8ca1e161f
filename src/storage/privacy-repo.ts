import { sql, type Kysely, type RawBuilder, type SqlBool, type Transaction } from 'kysely';
import type { ReplyReason } from '../domain/types.ts';
import { replyRecord } from '../evidence/events.ts';
import { appendAudit, type AuditEntry } from './audit-repo.ts';
import { appendEvidence } from './evidence-repo.ts';
import type { Capabilities } from './capabilities.ts';
import type { Database } from './schema.ts';

type Tx = Transaction<Database> | Kysely<Database>;

// ------------------------------------------------------------------ the evidence exception
//
// What retention and a data subject's erasure must keep, stated once, as SQL both use. A contact
// is kept as evidence when any of:
//   1. its caller is hostile and no admin released them (callers.evidence_released_at is null):
//      the caller is blocked, or one of their texts is labelled insult, threat or sexual, or one of
//      their contacts was marked as evidence, or one of their replies was withheld for hostility;
//   2. the contact itself was marked as evidence (contacts.evidence_at);
//   3. it arrived inside an unreleased evidence hold (flagged or exported) of its line or of every
//      line: from_at <= received_at < to_at.
// Withheld numbers all share one caller row ("anonymous"): judged as one caller, a single abusive
// withheld text would keep every withheld contact of everyone for ever. Rule 1 therefore skips that
// row and, for it only, applies per contact: a withheld text labelled insult, threat or sexual is
// kept (rule 1w).
// Subqueries use ev_* aliases so the fragments nest inside any statement.

/** Labels of a text that make its sender hostile for the evidence exception. */
export const EVIDENCE_LABELS = ['insult', 'threat', 'sexual'] as const;

/**
 * Reply reasons that mean the caller was judged hostile when their reply fell due: "hostile" (the
 * hostility verdict: abusive labels, coming back again and again, bot bursts, a hammered number
 * range) and "blocked" (their number or range was on the blocklist then; a later unblock does not
 * undo that record: an admin releases the caller if it was a mistake). Reasons that say nothing
 * about the caller's conduct (test, keyword rule, shield rationing, budget…) do not count.
 */
export const HOSTILE_REPLY_REASONS = [
  'hostile',
  'blocked',
] as const satisfies readonly ReplyReason[];

/** Kinds of evidence holds: flagged by hand, or covered by an evidence export. */
export const HOLD_KINDS = ['flagged', 'exported'] as const;

/** Replies that reached their end; scheduled and sending ones are still in the worker's hands. */
export const FINISHED_STATES = ['sent', 'cancelled', 'failed'] as const;

const col = (alias: string, column: string) => sql.ref(`${alias}.${column}`);
const values = (list: readonly (string | number)[]) => sql.join(list.map((v) => sql.lit(v)));

/** The contact `alias` is a text carrying one of the EVIDENCE_LABELS. */
function labelled(alias: string): RawBuilder<SqlBool> {
  // Never null (calls and clean texts have none), so the negation of this is never null either.
  const labels = sql`(',' || coalesce(${col(alias, 'labels')}, '') || ',')`;
  return sql<SqlBool>`(${sql.join(
    EVIDENCE_LABELS.map((l) => sql`${labels} like ${sql.lit(`%,${l},%`)}`),
    sql` or `,
  )})`;
}

/** The shared caller row of withheld numbers. */
const WITHHELD_ROW = sql`(select ev_w.id from callers ev_w where ev_w.number_type = 'withheld')`;

/** Rule 1: the caller `callerId` is hostile and not released (never the shared withheld row). */
export function hostileCaller(callerId: RawBuilder<unknown>): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (
    select 1 from callers ev_k
    where ev_k.id = ${callerId}
      and ev_k.evidence_released_at is null
      and ev_k.number_type <> 'withheld'
      and (
        ev_k.blocked = 1
        or ev_k.id in (
          select ev_hc.caller_id from contacts ev_hc
          where ev_hc.evidence_at is not null or ${labelled('ev_hc')}
        )
        or ev_k.id in (
          select ev_hr.caller_id from replies ev_hr
          where ev_hr.reason in (${values(HOSTILE_REPLY_REASONS)})
        )
      )
  )`;
}

/** Rule 3: the contact `alias` arrived inside an unreleased hold of its line or of every line. */
function insideHold(alias: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (
    select 1 from evidence_holds ev_h
    where ev_h.released_at is null
      and ev_h.kind in (${values(HOLD_KINDS)})
      and ev_h.from_at <= ${col(alias, 'received_at')}
      and ${col(alias, 'received_at')} < ev_h.to_at
      and (ev_h.line_id is null or ev_h.line_id = ${col(alias, 'line_id')})
  )`;
}

/** Rule 1w: an abusive text from a withheld number. */
function abusiveWithheld(alias: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${labelled(alias)} and ${col(alias, 'caller_id')} in ${WITHHELD_ROW})`;
}

/** The contacts row `alias` is kept as evidence: rule 2, 3, 1 or 1w. */
export function keptContact(alias: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(
    ${col(alias, 'evidence_at')} is not null
    or ${insideHold(alias)}
    or ${hostileCaller(col(alias, 'caller_id'))}
    or ${abusiveWithheld(alias)}
  )`;
}

/**
 * The same rules negated term by term (not 2, not 3, not 1, not 1w). Equivalent to `not
 * keptContact`, in a form PostgreSQL turns into anti-joins: under `not (… or exists …)` it runs a
 * subquery per row and, misled by the small evidence_holds table, plans (and JIT-compiles) as if
 * scanning a large one.
 */
export function notKeptContact(alias: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(
    ${col(alias, 'evidence_at')} is null
    and not ${insideHold(alias)}
    and not ${hostileCaller(col(alias, 'caller_id'))}
    and not ${abusiveWithheld(alias)}
  )`;
}

/**
 * The replies row `alias` is kept: its caller is hostile, or a kept contact refers to it. Contacts
 * refer only to replies of their own caller (the intake links a contact to its caller's reply),
 * which lets the lookup go through the contacts' caller index.
 */
export function keptReply(alias: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(
    ${hostileCaller(col(alias, 'caller_id'))}
    or exists (
      select 1 from contacts ev_kc
      where ev_kc.caller_id = ${col(alias, 'caller_id')}
        and ev_kc.reply_id = ${col(alias, 'id')}
        and ${keptContact('ev_kc')}
    )
  )`;
}

// ------------------------------------------------------------------ retention's predicates

/** Cut-off times of one retention run. */
export interface RetentionCutoffs {
  now: number;
  /** Contacts (and simulator messages) received before this are erased unless kept. */
  contactsBefore: number;
  /**
   * Replies created and callers last seen before this may go: the later of the retention and
   * the longest line cooldown, since forgetting a caller or their reply sooner would let the
   * same number get a second reply within the cooldown.
   */
  rememberBefore: number;
}

/**
 * Retention's predicates come in two forms. `plan` says what a run would erase, all at once (the
 * dry run counts it). `run` is used by a run, phase after phase: once expired contacts are gone,
 * "no contact that stays refers to it" is simply "no contact refers to it", which is much cheaper.
 */
type Phase = 'plan' | 'run';

function contactExpired(alias: string, c: RetentionCutoffs): RawBuilder<SqlBool> {
  return sql<SqlBool>`(
    ${col(alias, 'received_at')} < ${c.contactsBefore} and ${notKeptContact(alias)}
  )`;
}

/** A finished reply of a caller who is not hostile, that no remaining contact refers to. */
function replyExpired(alias: string, c: RetentionCutoffs, phase: Phase): RawBuilder<SqlBool> {
  const staying = phase === 'plan' ? sql`and not ${contactExpired('ev_rc', c)}` : sql``;
  return sql<SqlBool>`(
    ${col(alias, 'state')} in (${values(FINISHED_STATES)})
    and ${col(alias, 'created_at')} < ${c.rememberBefore}
    and not ${hostileCaller(col(alias, 'caller_id'))}
    and not exists (
      select 1 from contacts ev_rc
      where ev_rc.caller_id = ${col(alias, 'caller_id')}
        and ev_rc.reply_id = ${col(alias, 'id')}
        ${staying}
    )
  )`;
}

/**
 * A caller row retention may erase: nothing of theirs remains once their expired contacts and
 * replies go, and they were last seen before `rememberBefore`. Rows that carry a rule are never
 * erased: blocked callers (hostile, and the block is an operator's rule), allowed callers (an
 * operator's choice) and callers who opted out (STOP must keep being honoured; their contacts
 * and texts still go by age). Replies are reached through lines because they are indexed by
 * (line, caller).
 */
function callerExpired(alias: string, c: RetentionCutoffs, phase: Phase): RawBuilder<SqlBool> {
  const id = col(alias, 'id');
  const plan = phase === 'plan';
  return sql<SqlBool>`(
    ${col(alias, 'blocked')} = 0
    and ${col(alias, 'allowed')} = 0
    and ${col(alias, 'opted_out_at')} is null
    and ${col(alias, 'last_seen_at')} < ${c.rememberBefore}
    and not ${hostileCaller(id)}
    and not exists (
      select 1 from contacts ev_cc
      where ev_cc.caller_id = ${id} ${plan ? sql`and not ${contactExpired('ev_cc', c)}` : sql``}
    )
    and not exists (
      select 1 from lines ev_l
      join replies ev_cr on ev_cr.line_id = ev_l.id and ev_cr.caller_id = ${id}
      ${plan ? sql`where not ${replyExpired('ev_cr', c, 'plan')}` : sql``}
    )
  )`;
}

// ------------------------------------------------------------------ the repository

export interface ErasedCounts {
  contacts: number;
  replies: number;
  callers: number;
  /** Simulator outbox messages. */
  messages: number;
  /** Journal entries whose content was erased (their hashes stay in the chain). */
  journalEntries: number;
}

/** A retention run as stored in nonmerci_settings ("retention_last"). */
export interface LastRetention extends ErasedCounts {
  at: number;
  /** Contacts received before this were due. */
  cutoff: number;
}

const LAST_RETENTION_KEY = 'retention_last';

/** Rows erased per transaction, so a large erase never holds the database for long. */
export const ERASE_BATCH = 500;

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
  /** Rule 1, as the SQL above decides it. */
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

/** Why a caller's records are kept: the facts behind the evidence exception, for plain words. */
export interface EvidenceFacts {
  hostile: boolean;
  releasedAt: number | null;
  blocked: boolean;
  /** Evidence labels found on the caller's texts. */
  labels: string[];
  marked: { contactId: number; at: number; markedAt: number; markedBy: string | null }[];
  /** Replies withheld for hostility (HOSTILE_REPLY_REASONS). */
  withheld: number;
  /** Unreleased holds covering some of the caller's contacts, with how many. */
  holds: {
    id: number;
    kind: string;
    from: number;
    to: number;
    lineNumber: string | null;
    createdBy: string;
    contacts: number;
  }[];
}

/** What erasing one number did. */
export interface SubjectErasure {
  contacts: number;
  /** Finished replies erased, and pending ones cancelled and erased. */
  replies: number;
  messages: number;
  journalEntries: number;
  keptContacts: number;
  keptReplies: number;
  keptJournalEntries: number;
  /** Pending replies a kept contact refers to: cancelled, not erased. */
  cancelledInPlace: number[];
  /** Replies being sent right now (or whose send is unsettled): left alone. */
  inFlight: number[];
  /** What became of the caller row. */
  callerRow: 'erased' | 'kept' | 'none';
  facts: EvidenceFacts | null;
  optedOutAt: number | null;
  blocked: boolean;
}

/**
 * Every statement of the privacy lifecycle: retention's erasure of expired records, and a data
 * subject's export and erasure. Journal entries of erased rows lose their content, time of
 * erasure recorded, while their hashes stay so the chain still verifies.
 */
export class PrivacyRepo {
  readonly #db: Kysely<Database>;
  readonly #caps: Capabilities;

  constructor(db: Kysely<Database>, caps: Capabilities) {
    this.#db = db;
    this.#caps = caps;
  }

  /** The longest reply cooldown of any line (0 without lines). */
  async maxCooldownMs(): Promise<number> {
    const row = await this.#db
      .selectFrom('lines')
      .select((eb) => eb.fn.max('cooldown_ms').as('ms'))
      .executeTakeFirst();
    return Number(row?.ms ?? 0);
  }

  /** What a retention run would erase now (a dry run). */
  async countExpired(c: RetentionCutoffs): Promise<ErasedCounts> {
    const count = async (query: RawBuilder<{ n: number | string }>) =>
      Number((await query.execute(this.#db)).rows[0]?.n ?? 0);
    const [contacts, replies, callers, messages, journalEntries] = await Promise.all([
      count(sql`select count(*) as n from contacts c where ${contactExpired('c', c)}`),
      count(sql`select count(*) as n from replies r where ${replyExpired('r', c, 'plan')}`),
      count(sql`select count(*) as n from callers k where ${callerExpired('k', c, 'plan')}`),
      count(sql`select count(*) as n from sim_messages where created_at < ${c.contactsBefore}`),
      count(sql`select count(*) as n from evidence_log e
        where e.erased_at is null and (
          e.ref in (select 'contact:' || cast(c.id as text) from contacts c where ${contactExpired('c', c)})
          or e.ref in (select 'reply:' || cast(r.id as text) from replies r where ${replyExpired('r', c, 'plan')})
        )`),
    ]);
    return { contacts, replies, callers, messages, journalEntries };
  }

  /**
   * Erases what retention may erase, in batches of ERASE_BATCH rows per transaction: expired
   * contacts, then replies nothing refers to any more, then callers left with nothing, then old
   * simulator messages. Children go before their caller (foreign keys). Each delete re-checks a
   * column of the row itself, which PostgreSQL re-reads should another transaction change the row
   * meanwhile (an operator marking a contact, a caller calling again).
   */
  async eraseExpired(c: RetentionCutoffs): Promise<ErasedCounts> {
    const phases: {
      table: 'contacts' | 'replies' | 'callers' | 'sim_messages';
      expired: (alias: string) => RawBuilder<SqlBool>;
      recheck: RawBuilder<unknown>;
      ref: 'contact' | 'reply' | null;
    }[] = [
      {
        table: 'contacts',
        expired: (a) => contactExpired(a, c),
        recheck: sql`evidence_at is null`,
        ref: 'contact',
      },
      {
        table: 'replies',
        expired: (a) => replyExpired(a, c, 'run'),
        recheck: sql`state in (${values(FINISHED_STATES)})`,
        ref: 'reply',
      },
      {
        table: 'callers',
        expired: (a) => callerExpired(a, c, 'run'),
        recheck: sql`last_seen_at < ${c.rememberBefore}`,
        ref: null,
      },
      {
        table: 'sim_messages',
        expired: (a) => sql<SqlBool>`${col(a, 'created_at')} < ${c.contactsBefore}`,
        recheck: sql`true`,
        ref: null,
      },
    ];
    const erased = new Map<string, number>();
    let journalEntries = 0;
    for (const phase of phases) {
      const table = sql.table(phase.table);
      let total = 0;
      for (let done = ERASE_BATCH; done === ERASE_BATCH;) {
        done = await this.#db.transaction().execute(async (tx) => {
          const { rows } = await sql<{ id: number }>`
            delete from ${table}
            where id in (
              select ev_x.id from ${table} ev_x where ${phase.expired('ev_x')}
              order by ev_x.id limit ${sql.lit(ERASE_BATCH)}
            ) and ${phase.recheck}
            returning id`.execute(tx);
          if (phase.ref)
            journalEntries += await eraseJournal(
              tx,
              rows.map((r) => `${phase.ref}:${r.id}`),
              c.now,
            );
          return rows.length;
        });
        total += done;
      }
      erased.set(phase.table, total);
    }
    return {
      contacts: erased.get('contacts') ?? 0,
      replies: erased.get('replies') ?? 0,
      callers: erased.get('callers') ?? 0,
      messages: erased.get('sim_messages') ?? 0,
      journalEntries,
    };
  }

  /**
   * Stores a run as the last one; a run that erased anything is also audited (actor
   * "retention"), which journals it.
   */
  async recordRun(run: LastRetention): Promise<void> {
    const value = JSON.stringify(run);
    const erased = run.contacts + run.replies + run.callers + run.messages > 0;
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('nonmerci_settings')
        .values({ key: LAST_RETENTION_KEY, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
      if (erased)
        await appendAudit(tx, {
          at: run.at,
          actor: 'retention',
          action: 'retention.erase',
          target: null,
          detail: {
            contacts: run.contacts,
            replies: run.replies,
            callers: run.callers,
            messages: run.messages,
            journalEntries: run.journalEntries,
            cutoff: new Date(run.cutoff).toISOString(),
          },
        });
    });
  }

  async lastRun(): Promise<LastRetention | null> {
    const row = await this.#db
      .selectFrom('nonmerci_settings')
      .select('value')
      .where('key', '=', LAST_RETENTION_KEY)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value) as LastRetention) : null;
  }

  /** Hostile callers kept as evidence (rule 1), most recently seen first. */
  async keptCallers(limit: number): Promise<
    {
      callerId: number;
      numberEnc: string;
      numberType: string;
      contacts: number;
      labels: string[];
      blocked: boolean;
      lastSeen: number;
    }[]
  > {
    const rows = await this.#db
      .selectFrom('callers as k')
      .select([
        'k.id',
        'k.number_enc',
        'k.number_type',
        'k.blocked',
        'k.last_seen_at',
        (eb) =>
          eb
            .selectFrom('contacts as n')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('n.caller_id', '=', 'k.id')
            .as('contacts'),
      ])
      .where(hostileCaller(sql.ref('k.id')))
      .orderBy('k.last_seen_at', 'desc')
      .limit(limit)
      .execute();
    const labels = await this.#labelsOf(
      this.#db,
      rows.map((r) => Number(r.id)),
    );
    return rows.map((r) => ({
      callerId: Number(r.id),
      numberEnc: r.number_enc,
      numberType: r.number_type,
      contacts: Number(r.contacts ?? 0),
      labels: labels.get(Number(r.id)) ?? [],
      blocked: Number(r.blocked) === 1,
      lastSeen: Number(r.last_seen_at),
    }));
  }

  /** Every classifier label on the texts of these callers (not only the evidence labels). */
  async #labelsOf(db: Tx, callerIds: number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    for (let i = 0; i < callerIds.length; i += ERASE_BATCH) {
      const rows = await db
        .selectFrom('contacts')
        .select(['caller_id', 'labels'])
        .distinct()
        .where('caller_id', 'in', padded(callerIds.slice(i, i + ERASE_BATCH)))
        .where('labels', 'is not', null)
        .execute();
      for (const r of rows) {
        const set = new Set(out.get(Number(r.caller_id)));
        for (const l of (r.labels ?? '').split(',')) if (l) set.add(l);
        out.set(Number(r.caller_id), [...set].sort());
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- a data subject's records

  /** Appends to the audit log (and so to the journal). */
  audit(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    return appendAudit(this.#db, entry);
  }

  /** The caller row of a number's blind index, with rule 1 decided by the SQL above. */
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
  async evidenceFacts(callerId: number, db: Tx = this.#db): Promise<EvidenceFacts | null> {
    const caller = await db
      .selectFrom('callers as k')
      .select([
        'k.blocked',
        'k.evidence_released_at',
        sql<number>`case when ${hostileCaller(sql.ref('k.id'))} then 1 else 0 end`.as('hostile'),
      ])
      .where('k.id', '=', callerId)
      .executeTakeFirst();
    if (!caller) return null;
    const labels = (await this.#labelsOf(db, [callerId])).get(callerId) ?? [];
    const marked = await db
      .selectFrom('contacts')
      .select(['id', 'received_at', 'evidence_at', 'evidence_by'])
      .where('caller_id', '=', callerId)
      .where('evidence_at', 'is not', null)
      .orderBy('received_at')
      .execute();
    const withheld = await db
      .selectFrom('lines as l')
      .innerJoin('replies as r', (j) =>
        j.onRef('r.line_id', '=', 'l.id').on('r.caller_id', '=', callerId),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('r.reason', 'in', [...HOSTILE_REPLY_REASONS])
      .executeTakeFirstOrThrow();
    const holds = await db
      .selectFrom('evidence_holds as h')
      .innerJoin('contacts as c', (j) =>
        j
          .onRef('h.from_at', '<=', 'c.received_at')
          .onRef('c.received_at', '<', 'h.to_at')
          .on((eb) =>
            eb.or([eb('h.line_id', 'is', null), eb('h.line_id', '=', eb.ref('c.line_id'))]),
          ),
      )
      .leftJoin('lines as l', 'l.id', 'h.line_id')
      .select([
        'h.id',
        'h.kind',
        'h.from_at',
        'h.to_at',
        'h.created_by',
        'l.number',
        (eb) => eb.fn.count<number>('c.id').as('n'),
      ])
      .where('c.caller_id', '=', callerId)
      .where('h.released_at', 'is', null)
      .where('h.kind', 'in', [...HOLD_KINDS])
      .groupBy(['h.id', 'h.kind', 'h.from_at', 'h.to_at', 'h.created_by', 'l.number'])
      .orderBy('h.from_at')
      .execute();
    return {
      hostile: Number(caller.hostile) === 1,
      releasedAt: caller.evidence_released_at === null ? null : Number(caller.evidence_released_at),
      blocked: Number(caller.blocked) === 1,
      labels: labels.filter((l) => (EVIDENCE_LABELS as readonly string[]).includes(l)),
      marked: marked.map((m) => ({
        contactId: Number(m.id),
        at: Number(m.received_at),
        markedAt: Number(m.evidence_at),
        markedBy: m.evidence_by,
      })),
      withheld: Number(withheld.n),
      holds: holds.map((h) => ({
        id: Number(h.id),
        kind: h.kind,
        from: Number(h.from_at),
        to: Number(h.to_at),
        lineNumber: h.number,
        createdBy: h.created_by,
        contacts: Number(h.n),
      })),
    };
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
      if (caller) await this.#eraseCaller(tx, caller, s.now, out);
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

  async #eraseCaller(
    tx: Transaction<Database>,
    caller: SubjectCaller,
    now: number,
    out: SubjectErasure,
  ): Promise<void> {
    const id = caller.id;
    const contacts = await tx
      .deleteFrom('contacts')
      .where('caller_id', '=', id)
      .where(notKeptContact('contacts'))
      .returning('id')
      .execute();
    out.contacts = contacts.length;

    // Pending replies (never handed to a provider): cancelled. Erased, unless a kept contact
    // refers to them; then cancelled in place, their decision journalled like any cancellation.
    const pending = await tx
      .selectFrom('replies as r')
      .select([
        'r.id',
        'r.line_id',
        'r.signals',
        sql<number>`case when ${keptReply('r')} then 1 else 0 end`.as('kept'),
      ])
      .where('r.caller_id', '=', id)
      .where('r.state', '=', 'scheduled')
      .where('r.provider_attempted_at', 'is', null)
      .where('r.reserved_micros', '=', 0)
      .execute();
    const detail = 'the person asked for their data to be erased';
    for (const p of pending.filter((r) => Number(r.kept) === 1)) {
      const res = await tx
        .updateTable('replies')
        .set({ state: 'cancelled', reason: 'opted_out', detail, decided_at: now })
        .where('id', '=', p.id)
        .where('state', '=', 'scheduled')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) continue;
      out.cancelledInPlace.push(Number(p.id));
      await appendEvidence(
        tx,
        [
          replyRecord({
            replyId: Number(p.id),
            at: now,
            lineId: Number(p.line_id),
            callerId: id,
            state: 'cancelled',
            reason: 'opted_out',
            detail,
            costMicros: null,
            segments: null,
            signals: p.signals,
          }),
        ],
        null,
      );
    }
    const cancelled = pending.filter((r) => Number(r.kept) === 0).map((r) => Number(r.id));
    for (let i = 0; i < cancelled.length; i += ERASE_BATCH) {
      const rows = await tx
        .deleteFrom('replies')
        .where('id', 'in', padded(cancelled.slice(i, i + ERASE_BATCH)))
        // A worker may have claimed it since it was read (PostgreSQL): then it is in flight.
        .where('state', '=', 'scheduled')
        .where('provider_attempted_at', 'is', null)
        .returning('id')
        .execute();
      out.replies += rows.length;
    }
    const finished = await tx
      .deleteFrom('replies')
      .where('caller_id', '=', id)
      .where('state', 'in', [...FINISHED_STATES])
      .where((eb) => eb.not(keptReply('replies')))
      .returning('id')
      .execute();
    out.replies += finished.length;

    const remaining = await tx
      .selectFrom('replies')
      .select(['id', 'state', 'provider_attempted_at', 'reserved_micros'])
      .where('caller_id', '=', id)
      .execute();
    out.inFlight = remaining
      .filter(
        (r) =>
          r.state === 'sending' ||
          (r.state === 'scheduled' &&
            (r.provider_attempted_at !== null || Number(r.reserved_micros) > 0)),
      )
      .map((r) => Number(r.id));
    out.keptReplies = remaining.length;

    // Journal: every entry about this caller whose row is gone (this erase, or an earlier one).
    const erased = await tx
      .updateTable('evidence_log')
      .set({ content: null, erased_at: now, caller_id: null })
      .where('caller_id', '=', id)
      .where('erased_at', 'is', null)
      .where(
        (eb) => sql<SqlBool>`(${eb.ref('ref')} is null or (
          ${eb.ref('ref')} not in (select 'contact:' || cast(c.id as text) from contacts c where c.caller_id = ${id})
          and ${eb.ref('ref')} not in (select 'reply:' || cast(r.id as text) from replies r where r.caller_id = ${id})
        ))`,
      )
      .executeTakeFirst();
    out.journalEntries = Number(erased.numUpdatedRows);
    const kept = await tx
      .selectFrom('evidence_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('caller_id', '=', id)
      .where('erased_at', 'is', null)
      .executeTakeFirstOrThrow();
    out.keptJournalEntries = Number(kept.n);

    const left = await tx
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('caller_id', '=', id)
      .executeTakeFirstOrThrow();
    out.keptContacts = Number(left.n);
    out.facts =
      out.keptContacts > 0 || remaining.length > 0 ? await this.evidenceFacts(id, tx) : null;
    if (out.keptContacts === 0 && remaining.length === 0 && !caller.optedOutAt && !caller.blocked) {
      await tx.deleteFrom('callers').where('id', '=', id).execute();
      out.callerRow = 'erased';
    } else {
      // What is left of the row says no more than what is kept: the count of erased contacts
      // goes; a row kept for its STOP alone also loses when it was seen and its range index.
      const stopAt = out.keptContacts === 0 && remaining.length === 0 ? caller.optedOutAt : null;
      await tx
        .updateTable('callers')
        .set({
          contact_count: out.keptContacts,
          ...(stopAt !== null
            ? { first_seen_at: stopAt, last_seen_at: stopAt, prefix_index: null }
            : {}),
        })
        .where('id', '=', id)
        .execute();
      out.callerRow = 'kept';
    }
  }
}

/**
 * Erases the journal contents of these refs: content and caller go, the erasure time is
 * recorded, the hashes stay (verifyChain accepts an erased entry). Returns the entries erased.
 */
async function eraseJournal(tx: Tx, refs: string[], now: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < refs.length; i += ERASE_BATCH) {
    const res = await tx
      .updateTable('evidence_log')
      .set({ content: null, erased_at: now, caller_id: null })
      .where('ref', 'in', padded(refs.slice(i, i + ERASE_BATCH)))
      .where('erased_at', 'is', null)
      .executeTakeFirst();
    total += Number(res.numUpdatedRows);
  }
  return total;
}

/**
 * A list for `in (…)`, padded to a power of two by repeating its last value. PostgreSQL prepares
 * every distinct statement text once per connection (db.ts); padding keeps the number of texts an
 * erase produces to a handful instead of one per list length.
 */
function padded<T>(list: readonly T[]): T[] {
  if (list.length === 0) return [];
  let size = 1;
  while (size < list.length) size *= 2;
  return [...list, ...Array<T>(size - list.length).fill(list.at(-1)!)];
}
