/**
 * Pacing of the daily cap while the shield is on. Pure.
 *
 * In a raid, replies that cannot be told from an ordinary caller's (one quiet call, say) keep
 * falling due. Spent first come, first served, they would use the day's cap by mid-afternoon and
 * leave nothing for the men who get the number that evening. Pacing keeps a reserve instead: at
 * any moment, enough of the day's cap for the ordinary callers still expected before midnight
 * (as many per hour as the line usually gets outside raids, never fewer than a floor). Replies
 * may only spend what is above that reserve; the reserve shrinks as the day goes by, so the
 * budget is released gradually, and the least hostile waiting reply always takes it first. A
 * reply that does not fit yet is held (`paced`) and looked at again, never cancelled for it; it
 * still expires after REPLY_EXPIRY. Outside the shield nothing is paced. The idea is the budget
 * pacing of ad delivery (spend a daily budget evenly over the day) joined to priority load
 * shedding (when capacity is short, the least important work waits first).
 */

const HOUR = 3_600_000;
/** Paced replies are all looked at again on these boundaries, together, least hostile first. */
export const PACING_STEP_MS = 5 * 60_000;

export interface PacingInput {
  now: number;
  /** When the budget day ends (local midnight). */
  dayEnd: number;
  dailyCapMicros: number;
  /** What one reply costs with the line's text. */
  replyCostMicros: number;
  /** New callers per hour the line usually gets outside shield periods. */
  usualCallersPerHour: number;
  /** Never expect fewer than this many callers per hour. */
  floorPerHour: number;
}

export interface PacingPlan {
  /** Callers still expected before the day ends. */
  expectedCallers: number;
  /** Part of the daily cap kept for them. */
  reserveMicros: number;
  /** The day's spend (reserved and committed) may not go above this while the shield is on. */
  ceilingMicros: number;
}

export function pacingPlan(input: PacingInput): PacingPlan {
  const hoursLeft = Math.max(0, input.dayEnd - input.now) / HOUR;
  const perHour = Math.max(input.usualCallersPerHour, input.floorPerHour);
  const expectedCallers = Math.ceil(perHour * hoursLeft);
  const reserveMicros = Math.min(
    input.dailyCapMicros,
    expectedCallers * Math.max(0, input.replyCostMicros),
  );
  return { expectedCallers, reserveMicros, ceilingMicros: input.dailyCapMicros - reserveMicros };
}

/**
 * The ceiling one reply must fit under: the paced ceiling, less what the waiting replies ahead of
 * it (less hostile, or as hostile and due earlier) would take.
 */
export function ceilingFor(plan: PacingPlan, aheadMicros: number): number {
  return plan.ceilingMicros - Math.max(0, aheadMicros);
}

/** When a paced reply is looked at again: the next pacing step, and never after it expires. */
export function pacedRecheckAt(now: number, expiresAt: number): number {
  const next = (Math.floor(now / PACING_STEP_MS) + 1) * PACING_STEP_MS;
  return Math.min(next, expiresAt + 1);
}
