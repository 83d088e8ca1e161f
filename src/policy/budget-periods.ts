/**
 * Budget periods are calendar days and months in the deployment's time zone (Europe/Paris by
 * default), because that is how operators read their provider's invoice.
 */
export interface BudgetPeriods {
  day: string;
  month: string;
  /** Start of this day, and of the next day and next month, in epoch milliseconds. */
  dayStart: number;
  nextDayStart: number;
  nextMonthStart: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(
  timeZone: string,
  at: number,
): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

/** Offset of the zone from UTC at an instant, in milliseconds. */
export function offsetAt(timeZone: string, at: number): number {
  const p = partsIn(timeZone, at);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s);
  return asUtc - (at - (at % 1000));
}

/**
 * The first instant of a local calendar day. Usually its midnight; where daylight saving time
 * starts at midnight (America/Santiago, America/Havana…) midnight does not exist and the day starts
 * at 01:00, so the answer is searched around the naive guess.
 */
function startOfLocalDay(timeZone: string, y: number, m: number, d: number): number {
  const target = Date.UTC(y, m - 1, d);
  const guess = target - offsetAt(timeZone, target - offsetAt(timeZone, target));
  const dayOf = (at: number) => {
    const p = partsIn(timeZone, at);
    return Date.UTC(p.y, p.m - 1, p.d);
  };
  const p = partsIn(timeZone, guess);
  if (p.h === 0 && p.mi === 0 && p.s === 0 && dayOf(guess) === target) return guess;
  // Binary search for the first instant whose local day is the target day (within ±3 h).
  let lo = guess - 3 * 3_600_000;
  let hi = guess + 3 * 3_600_000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (dayOf(mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function budgetPeriods(now: number, timeZone: string): BudgetPeriods {
  const p = partsIn(timeZone, now);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    day: `${p.y}-${pad(p.m)}-${pad(p.d)}`,
    month: `${p.y}-${pad(p.m)}`,
    dayStart: startOfLocalDay(timeZone, p.y, p.m, p.d),
    nextDayStart: startOfLocalDay(timeZone, p.y, p.m, p.d + 1),
    nextMonthStart: startOfLocalDay(timeZone, p.y, p.m + 1, 1),
  };
}

/** Throws a RangeError for a time zone the runtime does not know. */
export function assertTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat('en', { timeZone });
}
