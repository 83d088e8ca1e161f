import { InvalidInputError } from '../domain/errors.ts';

/**
 * Readers for webhook fields, shared by the adapters. Everything that reaches storage is bounded in
 * length and free of NUL bytes (PostgreSQL text cannot hold them), so a signed but malformed
 * webhook is refused with a 400 instead of failing in the database.
 */

/** Twilio: CA…/SM…; Telnyx and Vonage: UUIDs, or a call control id such as "v3:…". */
const SID = /^[A-Za-z0-9_:.-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Twilio concatenates at most 10 segments (1,600 characters); leave room for other providers. */
const MAX_BODY = 5000;

function missing(name: string): never {
  throw new InvalidInputError(`The webhook lacks the "${name}" field.`, { field: name });
}

/** A short field such as a phone number; absent means "". */
export function shortField(params: Record<string, string>, name: string, required = false): string {
  const value = params[name] ?? '';
  if (required && value === '') missing(name);
  if (value.length > 64 || value.includes('\u0000')) {
    throw new InvalidInputError(`The "${name}" field is not a plausible value.`, { field: name });
  }
  return value;
}

/** A provider's identifier of a call or message (Twilio: CA… / SM… and 32 hex digits). */
export function sidField(params: Record<string, string>, ...names: string[]): string {
  const name = names.find((n) => params[n]) ?? names[0]!;
  const value = params[name] ?? '';
  if (value === '') missing(name);
  if (!SID.test(value))
    throw new InvalidInputError(`The "${name}" field is not a valid identifier.`, { field: name });
  return value;
}

/** The text of an inbound SMS, kept as evidence: NUL bytes become U+FFFD, over-long texts are refused. */
export function messageBody(params: Record<string, string>, name: string): string {
  const value = params[name] ?? '';
  if (value.length > MAX_BODY)
    throw new InvalidInputError(`The "${name}" field is longer than ${MAX_BODY} characters.`, {
      field: name,
    });
  return value.replaceAll('\u0000', '\uFFFD');
}

/** Our reply key echoed in a status callback URL, or null when absent or malformed. */
export function replyKey(query: URLSearchParams): string | null {
  const key = query.get('key');
  return key && UUID.test(key) ? key : null;
}

/** A member of a decoded JSON body, by path ("data.payload.from.phone_number"); "" when absent. */
export function jsonField(body: unknown, path: string, required = false, max = 64): string {
  let value: unknown = body;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') {
      value = undefined;
      break;
    }
    value = Array.isArray(value) ? value[Number(key)] : (value as Record<string, unknown>)[key];
  }
  if (value === undefined || value === null || value === '') {
    if (required) missing(path);
    return '';
  }
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string' || value.length > max || value.includes('\u0000'))
    throw new InvalidInputError(`The "${path}" field is not a plausible value.`, { field: path });
  return value;
}

/** A provider's identifier in a JSON body (a UUID for Telnyx and Vonage). */
export function jsonSid(body: unknown, path: string): string {
  const value = jsonField(body, path, true, 128);
  if (!SID.test(value))
    throw new InvalidInputError(`The "${path}" field is not a valid identifier.`, { field: path });
  return value;
}

/** The text of an inbound SMS in a JSON body, cleaned and bounded as messageBody does. */
export function jsonText(body: unknown, path: string): string {
  return messageBody({ text: jsonField(body, path, false, MAX_BODY) }, 'text');
}

/** No SMS costs this much: a larger "price" is not one (and would not fit the spend's columns). */
const MAX_PRICE = 1_000;

/** "0.0040" → micro-units; null when absent, not a number or not a plausible price. Taken as positive. */
export function decimalMicros(value: string): number | null {
  if (value === '') return null;
  const n = Math.abs(Number(value));
  return Number.isFinite(n) && n <= MAX_PRICE ? Math.round(n * 1_000_000) : null;
}

/** A currency code as a provider wrote it, or null when it is not one. */
export function currencyCode(value: string): string | null {
  const code = value.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code) ? code : null;
}
