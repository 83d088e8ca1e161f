import type { FastifyRequest } from 'fastify';
import { InvalidInputError } from '../../domain/errors.ts';
import { checkOperatorText, type OperatorTextRule } from '../../domain/operator-text.ts';
import { HttpError } from '../errors.ts';

/**
 * Reading the dashboard's JSON input. Checks are written here rather than as JSON schemas so that
 * every refusal names the field and says what to send, in words an operator understands.
 */
export type Json = Record<string, unknown>;

/** The JSON object a state-changing request sent. A form post is refused: it is how cross-site requests arrive. */
export function jsonBody(request: FastifyRequest): Json {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/json'))
    throw new HttpError(
      415,
      'unsupported_media_type',
      'Send JSON (content-type: application/json).',
    );
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidInputError('The request body must be a JSON object.');
  return body as Json;
}

export function text(body: Json, field: string, opts: { max?: number; optional?: false }): string;
export function text(
  body: Json,
  field: string,
  opts: { max?: number; optional: true },
): string | undefined;
export function text(
  body: Json,
  field: string,
  opts: { max?: number; optional?: boolean },
): string | undefined {
  const v = body[field];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string') throw new InvalidInputError(`"${field}" must be text.`, { field });
  // PostgreSQL text cannot hold NUL: refused here rather than failing in the database.
  if (v.includes('\u0000'))
    throw new InvalidInputError(
      `"${field}" contains a NUL character (U+0000), which cannot be stored; remove it.`,
      { field },
    );
  if (v.length > (opts.max ?? 1000))
    throw new InvalidInputError(
      `"${field}" is too long (${opts.max ?? 1000} characters at most).`,
      {
        field,
      },
    );
  return v;
}

/**
 * Text an operator writes (a line's texts, a rule, a note), checked by the one validator of
 * domain/operator-text.ts: returned trimmed, or refused with a message naming the field.
 */
export function operatorText(body: Json, field: string, rule: OperatorTextRule): string;
export function operatorText(
  body: Json,
  field: string,
  rule: OperatorTextRule,
  optional: true,
): string | undefined;
export function operatorText(
  body: Json,
  field: string,
  rule: OperatorTextRule,
  optional = false,
): string | undefined {
  const v = body[field];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string') throw new InvalidInputError(`"${field}" must be text.`, { field });
  return checkOperatorText(v, rule, field);
}

export function flag(body: Json, field: string): boolean;
export function flag(body: Json, field: string, optional: true): boolean | undefined;
export function flag(body: Json, field: string, optional = false): boolean | undefined {
  const v = body[field];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'boolean')
    throw new InvalidInputError(`"${field}" must be true or false.`, { field });
  return v;
}

export function whole(
  body: Json,
  field: string,
  range: { min: number; max: number },
  optional = false,
): number | undefined {
  const v = body[field];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < range.min || v > range.max)
    throw new InvalidInputError(
      `"${field}" must be a whole number from ${range.min} to ${range.max}.`,
      { field },
    );
  return v;
}

export function oneOf<T extends string>(
  body: Json,
  field: string,
  values: readonly T[],
  optional = false,
): T | undefined {
  const v = body[field];
  if (v === undefined && optional) return undefined;
  if (!values.includes(v as T))
    throw new InvalidInputError(`"${field}" must be one of: ${values.join(', ')}.`, { field });
  return v as T;
}

/** A positive id from the URL (":id"). */
export function idParam(request: FastifyRequest, name = 'id'): number {
  const raw = (request.params as Record<string, string | undefined>)[name] ?? '';
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new InvalidInputError(`"${raw}" is not an id.`, { field: name });
  return id;
}

/** A query-string value, if present and not empty. */
export function query(request: FastifyRequest, name: string): string | undefined {
  const v = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function queryNumber(request: FastifyRequest, name: string): number | undefined {
  const v = query(request, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidInputError(`"${name}" must be a whole number.`, { field: name });
  return n;
}
