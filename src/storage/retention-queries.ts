import { sql, type RawBuilder, type SqlBool } from 'kysely';
import {
  FINISHED_STATES,
  col,
  hostileCaller,
  notKeptContact,
  values,
} from './evidence-exception.ts';

// Retention's predicates: what a run erases, built on the evidence exception.

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
export type Phase = 'plan' | 'run';

export function contactExpired(alias: string, c: RetentionCutoffs): RawBuilder<SqlBool> {
  return sql<SqlBool>`(
    ${col(alias, 'received_at')} < ${c.contactsBefore} and ${notKeptContact(alias)}
  )`;
}

/** A finished reply of a caller who is not hostile, that no remaining contact refers to. */
export function replyExpired(
  alias: string,
  c: RetentionCutoffs,
  phase: Phase,
): RawBuilder<SqlBool> {
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
export function callerExpired(
  alias: string,
  c: RetentionCutoffs,
  phase: Phase,
): RawBuilder<SqlBool> {
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
