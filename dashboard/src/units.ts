/** Conversions between what operators type and what the API wants. */
import { formatDuration, parseDuration } from '../../src/domain/duration.ts';

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

/**
 * A duration as operators type it, with its unit: 1200000 → "20m", 7776000000 → "90j" in French
 * ("90d" in English), 5400000 → "1h30m".
 */
export function durationInput(ms: number, lang: string): string {
  const text = formatDuration(ms);
  return lang === 'fr' ? text.replace(/d/g, 'j') : text;
}

/** A duration in the reader's words, to the hour: "24 h", "3 jours" / "24 hours", "3 days". */
export function durationWords(ms: number, lang: string): string {
  const hours = Math.max(1, Math.round(ms / 3_600_000));
  if (hours < 48 || hours % 24 !== 0) return lang === 'fr' ? `${hours} h` : `${hours} hours`;
  const days = hours / 24;
  return lang === 'fr' ? `${days} jours` : `${days} days`;
}

/**
 * What an operator typed as a duration, in ms: "20s", "15 min", "1h", "1h30", "90j", "90 jours",
 * "2 days"; null without a unit (a bare "60" could mean seconds, minutes or days).
 */
export function parseTypedDuration(text: string): number | null {
  const normalised = text
    .trim()
    .toLowerCase()
    .replace(/,/g, '.')
    .replace(/(\d)\s*(jours?|j|days?)\b/g, '$1d')
    .replace(/(\d)\s*(heures?|hours?)\b/g, '$1h')
    .replace(/(\d)\s*(minutes?|mins?)\b/g, '$1m')
    .replace(/(\d)\s*(secondes?|seconds?|secs?)\b/g, '$1s')
    .replace(/(\d)\s*(semaines?|weeks?)\b/g, '$1w')
    // "1h30" means an hour and a half.
    .replace(/(\d)h(\d+)$/, '$1h$2m');
  if (/^\d+(\.\d+)?$/.test(normalised)) return null;
  return parseDuration(normalised);
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
