import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Caller ids that mean "no number": withheld, anonymous or unknown. Twilio sends these fixed values
 * (https://www.twilio.com/docs/voice/twiml#callers-with-caller-id-withheld); other carriers send words.
 */
const WITHHELD = new Set([
  '',
  'anonymous',
  'restricted',
  'unknown',
  'blocked',
  'unavailable',
  'private',
  'withheld',
  '+266696687',
  '+7378742833',
  '+2562533',
  '+8656696',
  '+86282452253',
]);

/**
 * ARCEP reserves these ranges for fiction (films, books, demos); no subscriber holds them. libphonenumber
 * rightly calls them invalid; the simulator accepts them so a demo never needs a real person's number.
 */
const FICTION_RANGES: { prefix: string; type: 'fiction' | 'fixed_line' }[] = [
  { prefix: '+3363998', type: 'fiction' },
  { prefix: '+3319900', type: 'fixed_line' },
];

/** A French number of ARCEP's fiction ranges (+33 and nine digits), or null. */
function fictionRange(compact: string): { type: 'fiction' | 'fixed_line' } | null {
  if (!/^\+33\d{9}$/.test(compact)) return null;
  return FICTION_RANGES.find((r) => compact.startsWith(r.prefix)) ?? null;
}

export type NumberType =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'premium_rate'
  | 'shared_cost'
  | 'toll_free'
  | 'voip'
  | 'personal'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'fiction'
  | 'withheld'
  | 'invalid';

export interface ClassifiedNumber {
  /** E.164 when the number could be parsed; otherwise the raw value, trimmed. */
  normalized: string;
  type: NumberType;
  country: string | null;
}

/** Normalises and classifies a caller id with libphonenumber's full metadata. */
export function classifyNumber(raw: string): ClassifiedNumber {
  const trimmed = raw.trim();
  if (WITHHELD.has(trimmed.toLowerCase())) {
    return { normalized: trimmed.toLowerCase() || 'anonymous', type: 'withheld', country: null };
  }
  const compact = trimmed.replace(/[\s.\-()]/g, '');
  const fiction = fictionRange(compact);
  if (fiction) return { normalized: compact, type: fiction.type, country: 'FR' };
  const parsed = parsePhoneNumberFromString(trimmed, { defaultCountry: undefined, extract: false });
  if (!parsed) return { normalized: compact || trimmed, type: 'invalid', country: null };
  // With the full metadata a number is valid exactly when it has a type (libphonenumber's isValid
  // is getType() !== undefined): asking for the type alone matches it once, not twice.
  const type = parsed.getType();
  return {
    normalized: parsed.number,
    type: type ? (type.toLowerCase() as NumberType) : 'invalid',
    country: parsed.country ?? null,
  };
}

/**
 * Parses a number into E.164, or null when it cannot be a phone number. National formats are read
 * in `defaultCountry` when one is given (people type "06 12 34 56 78"; providers send E.164).
 */
export function toE164(raw: string, defaultCountry?: CountryCode): string | null {
  const compact = raw.trim().replace(/[\s.\-()]/g, '');
  if (fictionRange(compact)) return compact;
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultCountry ? { defaultCountry } : {});
  return parsed?.isPossible() ? parsed.number : null;
}

/** Masks every phone-number-like run in a text (a provider's error message, say). */
export function maskNumbersIn(text: string): string {
  return text.replace(/\+?\d[\d .-]{6,}\d/g, (run) => maskNumber(run.replace(/[ .-]/g, '')));
}

/** Masks a number for logs and screens: +33612345678 → +3361****78. */
export function maskNumber(number: string): string {
  const n = number.trim();
  if (n.length <= 6) return n.length === 0 ? '(none)' : `${n.slice(0, 2)}****`;
  return `${n.slice(0, 5)}****${n.slice(-2)}`;
}
