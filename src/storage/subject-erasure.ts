import { sql, type SqlBool, type Transaction } from 'kysely';
import { replyRecord } from '../evidence/events.ts';
import { ERASE_BATCH, padded } from './erase-batch.ts';
import { FINISHED_STATES, keptReply, notKeptContact } from './evidence-exception.ts';
import { evidenceFacts, type EvidenceFacts } from './evidence-facts.ts';
import { appendEvidence } from './evidence-repo.ts';
import type { Database } from './schema.ts';

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
 * The caller's part of eraseSubject (SubjectRepo), inside its transaction: fills `out` with what
 * became of their contacts, replies, journal entries and caller row.
 */
export async function eraseCaller(
  tx: Transaction<Database>,
  caller: { id: number; optedOutAt: number | null; blocked: boolean },
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
  out.facts = out.keptContacts > 0 || remaining.length > 0 ? await evidenceFacts(tx, id) : null;
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
