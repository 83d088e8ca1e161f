/**
 * Timestamps as they appear in the bundle's data files: ISO 8601, in UTC and in the deployment's
 * time zone with its offset, so a reader can match both the operator's clock and the phone company's
 * records (which are usually in UTC) without converting anything by hand.
 */

/** Wall-clock fields of an instant in a time zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Offset from UTC in minutes (+60 for Paris in winter). */
  offsetMinutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at instant `ms` (epoch milliseconds). */
export function wallClock(ms: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(ms)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const get = (name: string): number => fields[name] ?? 0;
  const millisecond = ((ms % 1000) + 1000) % 1000;
  // The offset is whatever makes the wall clock, read as if it were UTC, land on the instant.
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
    millisecond,
  );
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
    millisecond,
    offsetMinutes: Math.round((asUtc - ms) / 60_000),
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** "2026-11-01T16:00:00.000Z". */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

/** "2026-11-01T17:00:00.000+01:00" for Europe/Paris; "+00:00" rather than "Z" for a zone at UTC. */
export function isoLocal(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  const sign = w.offsetMinutes < 0 ? '-' : '+';
  const offset = Math.abs(w.offsetMinutes);
  return (
    `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:` +
    `${pad(w.second)}.${pad(w.millisecond, 3)}${sign}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`
  );
}

/** Compact UTC stamp for file names, to the minute: "20261101T1600Z". */
export function compactUtc(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`
  );
}
