import { offsetAt } from '../policy/budget-periods.ts';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads a date-time typed by an operator: ISO 8601 with "Z" or an offset is taken as it is;
 * without one ("2026-11-01T16:00", "2026-11-01 16:00", "2026-11-01") it is a wall-clock time in
 * the deployment's time zone, as the operator lived it. Returns null when it is not a date.
 */
export function parseLocalTime(text: string, timeZone: string): number | null {
  const trimmed = text.trim();
  if (WITH_OFFSET.test(trimmed)) {
    const at = Date.parse(trimmed);
    return Number.isNaN(at) ? null : at;
  }
  const m = LOCAL.exec(trimmed);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const naive = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(naive);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return null;
  // The offset at the guessed instant, refined once: right on both sides of a DST change.
  return naive - offsetAt(timeZone, naive - offsetAt(timeZone, naive));
}
