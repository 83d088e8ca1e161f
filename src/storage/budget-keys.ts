/**
 * Rows of budget_periods are keyed "day:2026-11-01", "month:2026-11" and, for the shield's hourly
 * slice of one line, "hour:3:2026-11-01T16"; the format lives here.
 */
export function periodKey(kind: 'day' | 'month' | 'hour', value: string): string {
  return `${kind}:${value}`;
}

/** The period rows a reply's spend was counted in (none before it was reserved). */
export function replyPeriodKeys(reply: {
  budget_day: string | null;
  budget_month: string | null;
  budget_hour: string | null;
}): string[] {
  const keys: string[] = [];
  if (reply.budget_hour) keys.push(periodKey('hour', reply.budget_hour));
  if (reply.budget_day) keys.push(periodKey('day', reply.budget_day));
  if (reply.budget_month) keys.push(periodKey('month', reply.budget_month));
  return keys;
}
