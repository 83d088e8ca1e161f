/**
 * Budget periods are calendar days and months in the deployment's time zone (Europe/Paris by
 * default), because that is how operators read their provider's invoice.
 */
export interface BudgetPeriods {
  day: string;
  month: string;
  /** Start of the next day and next month, in epoch milliseconds. */
  nextDayStart: number;
  nextMonthStart: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(timeZone: string, at: number): { y: number; m: number; d: number; h: number; mi: number; s: number } {
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
  for (const part of f.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

/** Offset of the zone from UTC at an instant, in milliseconds. */
function offsetAt(timeZone: string, at: number): number {
  const p = partsIn(timeZone, at);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s);
  return asUtc - (at - (at % 1000));
}

/** The instant of a local wall-clock midnight, accounting for daylight saving changes. */
function localMidnight(timeZone: string, y: number, m: number, d: number): number {
  const guess = Date.UTC(y, m - 1, d);
  let at = guess - offsetAt(timeZone, guess);
  at = guess - offsetAt(timeZone, at);
  return at;
}

export function budgetPeriods(now: number, timeZone: string): BudgetPeriods {
  const p = partsIn(timeZone, now);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    day: `${p.y}-${pad(p.m)}-${pad(p.d)}`,
    month: `${p.y}-${pad(p.m)}`,
    nextDayStart: localMidnight(timeZone, p.y, p.m, p.d + 1),
    nextMonthStart: localMidnight(timeZone, p.y, p.m + 1, 1),
  };
}

/** Throws a RangeError for a time zone the runtime does not know. */
export function assertTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat('en', { timeZone });
}
