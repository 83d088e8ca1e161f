import type { ClassifiedNumber } from '../domain/phone.ts';
import type { ReplyReason } from '../domain/types.ts';
import { checkDestination } from './destination.ts';

/** Everything known about a reply when it falls due. */
export interface DecisionInput {
  now: number;
  reply: { dueAt: number; expiresAt: number };
  line: { paused: boolean; allowedCountries: readonly string[] };
  destination: ClassifiedNumber;
  acceptsFictionNumbers: boolean;
  callerBlocked: boolean;
  /** Another reply already reached this caller on this line within the cooldown. */
  alreadyRepliedWithinCooldown: boolean;
  /** How often the caller came back between scheduling and now (signal for the shield). */
  contactsSinceScheduled: number;
}

export type Decision =
  | { action: 'send' }
  | { action: 'hold'; reason: Extract<ReplyReason, 'paused'>; until: number }
  | { action: 'cancel'; reason: ReplyReason; detail: string };

/**
 * Decides a due reply. Pure: the same input always gives the same decision. Budget is not decided
 * here because it must be reserved atomically in the database (see scheduler/send-reply.ts).
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
  if (input.callerBlocked) {
    return { action: 'cancel', reason: 'blocked', detail: 'the caller is on the blocklist' };
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
  return { action: 'send' };
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
