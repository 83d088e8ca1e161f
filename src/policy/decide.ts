import type { ClassifiedNumber } from '../domain/phone.ts';
import type { ReplyReason } from '../domain/types.ts';
import { checkDestination } from './destination.ts';
import type { HostilityVerdict } from './hostility.ts';

/** Everything known about a reply when it falls due. */
export interface DecisionInput {
  now: number;
  reply: { dueAt: number; expiresAt: number };
  line: { paused: boolean; allowedCountries: readonly string[] };
  destination: ClassifiedNumber;
  acceptsFictionNumbers: boolean;
  /** Why the caller is blocked (their number, or a prefix rule), or null. */
  blockedBy: string | null;
  /** The caller sent STOP, or an operator put the number on the STOP list. */
  optedOut: boolean;
  /** On the allowlist: keyword rules, test detection and hostility do not apply. */
  allowed: boolean;
  /** Another reply already reached this caller on this line within the cooldown. */
  alreadyRepliedWithinCooldown: boolean;
  /** An operator keyword rule with action no_reply matched one of the caller's texts. */
  keywordRule: { id: number; keyword: string } | null;
  /** Every contact of the caller so far was a curious "test" text (hostility.ts, isCuriousTest). */
  testMessage: boolean;
  /** Never hostile on a calm line: there its score only orders replies. */
  hostility: HostilityVerdict;
}

export type Decision =
  | { action: 'send'; priority: number }
  | { action: 'hold'; reason: Extract<ReplyReason, 'paused'>; until: number }
  | { action: 'cancel'; reason: ReplyReason; detail: string };

/**
 * Decides a due reply. Pure: the same input always gives the same decision. The caps and the
 * shield's pacing are not decided here because they must be reserved atomically in the database
 * (see scheduler/send-reply.ts). A STOP request wins over everything, an allowlisted caller skips
 * the rules that judge content and behaviour, never the destination, cooldown, budget or pacing.
 * What a caller said or how often he called back withholds his reply only under pressure (see
 * hostility.ts): on a calm line an angry man gets his SMS like anyone else.
 */
export function decideReply(input: DecisionInput): Decision {
  if (input.now > input.reply.expiresAt) {
    return {
      action: 'cancel',
      reason: 'expired',
      detail: 'the reply could not be sent before it expired',
    };
  }
  if (input.line.paused) {
    // Resuming the line makes held replies due at once; until then, look again only at expiry.
    return { action: 'hold', reason: 'paused', until: input.reply.expiresAt + 1 };
  }
  if (input.optedOut) {
    return { action: 'cancel', reason: 'opted_out', detail: 'the number asked never to be texted' };
  }
  if (input.blockedBy !== null) {
    return { action: 'cancel', reason: 'blocked', detail: `blocked: ${input.blockedBy}` };
  }
  const destination = checkDestination(input.destination, {
    allowedCountries: input.line.allowedCountries,
    acceptsFictionNumbers: input.acceptsFictionNumbers,
  });
  if (!destination.allowed) {
    return { action: 'cancel', reason: 'destination_not_allowed', detail: destination.why };
  }
  if (input.alreadyRepliedWithinCooldown) {
    return {
      action: 'cancel',
      reason: 'cooldown',
      detail: 'this caller already got a reply on this line',
    };
  }
  if (input.allowed) return { action: 'send', priority: -1 };
  if (input.keywordRule) {
    return {
      action: 'cancel',
      reason: 'keyword_rule',
      detail: `a text matched keyword rule #${input.keywordRule.id} "${input.keywordRule.keyword}"`,
    };
  }
  if (input.testMessage) {
    return { action: 'cancel', reason: 'test_message', detail: 'a curious "test" message' };
  }
  if (input.hostility.hostile) {
    return {
      action: 'cancel',
      reason: 'hostile',
      detail: `hostile during a raid (shield on): ${input.hostility.why.join('; ')}`,
    };
  }
  return { action: 'send', priority: input.hostility.score };
}

/** Exponential backoff for provider retries: 30 s, 1 min, 2 min … capped at 30 min. */
export function retryDelay(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 30 * 60_000);
}

/**
 * When a reply that did not fit a cap is looked at again: when the exhausted period ends, or
 * sooner (`recheckMs`), since caps may be raised and in-flight reservations released meanwhile.
 */
export function budgetRetryAt(
  now: number,
  exhausted: 'day' | 'month',
  periods: { nextDayStart: number; nextMonthStart: number },
  recheckMs: number,
): number {
  const periodEnd = exhausted === 'day' ? periods.nextDayStart : periods.nextMonthStart;
  return Math.min(periodEnd, now + recheckMs);
}
