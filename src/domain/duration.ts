/**
 * Durations written by people in settings: "90s", "15m", "1h", "90d", "1h30m".
 * Written by hand because the common libraries accept a bare number as milliseconds, which turns
 * REPLY_DELAY=3600 into 3.6 seconds; here a unit is mandatory.
 */
const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gy;

/** Returns milliseconds, or null when the text is not a duration with units. */
export function parseDuration(text: string): number | null {
  const input = text.trim().toLowerCase();
  if (input === '') return null;
  if (input === '0') return 0;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(input); m; m = PART.exec(input)) {
    total += Number(m[1]) * (UNITS[m[2]!] ?? 0);
    consumed = PART.lastIndex;
    while (input[consumed] === ' ') consumed++;
    PART.lastIndex = consumed;
  }
  if (consumed !== input.length) return null;
  return Math.round(total);
}

/** Formats milliseconds compactly for people: 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['d', UNITS.d!],
    ['h', UNITS.h!],
    ['m', UNITS.m!],
    ['s', UNITS.s!],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}
