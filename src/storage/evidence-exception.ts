import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { ReplyReason } from '../domain/types.ts';
import { hasLabel } from './labels-sql.ts';

// The evidence exception: what retention and a data subject's erasure must keep, stated once, as
// SQL both use. A contact is kept as evidence when any of:
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

/** The column `column` of the table aliased `alias`. */
export const col = (alias: string, column: string) => sql.ref(`${alias}.${column}`);
/** A list of literals, for `in (…)`. */
export const values = (list: readonly (string | number)[]) => sql.join(list.map((v) => sql.lit(v)));

/** The contact `alias` is a text carrying one of the EVIDENCE_LABELS. */
function labelled(alias: string): RawBuilder<SqlBool> {
  return hasLabel(`${alias}.labels`, EVIDENCE_LABELS);
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
