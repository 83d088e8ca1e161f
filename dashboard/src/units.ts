/** Conversions between what operators type and what the API wants. */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
const MICROS = 1_000_000;

/** "0,16" or "0.16" → 160000; null when it is not a number ≥ 0. */
export function parseMoney(text: string): number | null {
  const value = parseDecimal(text);
  return value === null ? null : Math.round(value * MICROS);
}

/** 160000 → "0,16" in French, "0.16" in English, for an editable field. */
export function moneyInput(micros: number, lang: string): string {
  const text = String(micros / MICROS);
  return lang === 'fr' ? text.replace('.', ',') : text;
}

export function parseDecimal(text: string): number | null {
  const cleaned = text.trim().replace(/\s/g, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

/** A duration in ms as a number of `unit` ms, for an editable field: 1200000 → "20". */
export function durationInput(ms: number, unit: number, lang: string): string {
  const text = String(Math.round((ms / unit) * 100) / 100);
  return lang === 'fr' ? text.replace('.', ',') : text;
}

/** "FR, be  DE" → ["FR", "BE", "DE"]; null if one of them is not a two-letter code. */
export function parseCountries(text: string): string[] | null {
  const codes = text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((code) => code.toUpperCase());
  return codes.every((code) => /^[A-Z]{2}$/.test(code)) ? [...new Set(codes)] : null;
}

/** "50, 80 100" → [50, 80, 100]; null if one is not a whole percentage from 1 to 100. */
export function parsePercentages(text: string): number[] | null {
  const values = text
    .split(/[\s,;%]+/)
    .filter(Boolean)
    .map(Number);
  if (!values.every((v) => Number.isInteger(v) && v >= 1 && v <= 100)) return null;
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Midnight of a calendar day ("2026-11-03") in the given time zone, as epoch ms. */
export function dayStart(isoDay: string, timeZone: string | undefined): number {
  const guess = Date.parse(`${isoDay}T00:00:00Z`);
  const first = guess - zoneOffset(guess, timeZone);
  // A second pass settles days on which the offset changes (summer time).
  return guess - zoneOffset(first, timeZone);
}

/**
 * An instant as the zone's wall clock, the value of a datetime-local field: "2026-11-01T16:00".
 * The server reads such a value back in the same zone.
 */
export function localInput(ms: number, timeZone: string | undefined): string {
  return new Date(ms + zoneOffset(ms, timeZone)).toISOString().slice(0, 16);
}

/** How far ahead of UTC the zone's clock is at that instant, in ms. */
function zoneOffset(ms: number, timeZone: string | undefined): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(ms);
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}
