import type { FastifyInstance } from 'fastify';
import { InvalidInputError } from '../domain/errors.ts';

/**
 * A form-encoded body with the raw text kept for signature checks. Only this parser creates
 * instances, so a body of another type can never pass for one.
 */
export class FormBody {
  readonly raw: string;
  readonly params: Record<string, string>;
  constructor(raw: string, params: Record<string, string>) {
    this.raw = raw;
    this.params = params;
  }
}

export function isFormBody(body: unknown): body is FormBody {
  return body instanceof FormBody;
}

/**
 * A JSON webhook body with the raw text kept for signature checks (Telnyx signs the bytes, Vonage
 * their SHA-256). Created by the JSON parser for /webhooks/ paths only.
 */
export class JsonBody {
  readonly raw: string;
  readonly value: unknown;
  constructor(raw: string, value: unknown) {
    this.raw = raw;
    this.value = value;
  }
}

export function isJsonBody(body: unknown): body is JsonBody {
  return body instanceof JsonBody;
}

/** JSON bodies: parsed by Fastify's own parser (with its prototype-poisoning checks); webhooks keep the raw text. */
export function registerJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const raw = body as string;
    if (!request.url.startsWith('/webhooks/')) {
      void parse(request, raw, done);
      return;
    }
    void parse(request, raw, (error, value) => {
      if (error) done(error, undefined);
      else done(null, new JsonBody(raw, value));
    });
  });
}

/**
 * Parses application/x-www-form-urlencoded bodies (what Twilio sends) into plain string fields,
 * keeping the raw text. A field given twice is refused: no provider webhook does that, and
 * accepting it would let a signed value be shadowed.
 */
export function registerFormParser(app: FastifyInstance): void {
  // Only the types the app declares are read (this one for webhooks; JSON and audio for the
  // dashboard, added by the app): any other content type is refused with 415 before the body is read.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, raw, done) => {
      const text = raw as string;
      const params: Record<string, string> = Object.create(null) as Record<string, string>;
      try {
        for (const [key, value] of new URLSearchParams(text)) {
          if (Object.hasOwn(params, key))
            throw new InvalidInputError(`The field "${key.slice(0, 40)}" appears twice.`);
          params[key] = value;
        }
      } catch (error) {
        done(
          error instanceof InvalidInputError
            ? error
            : new InvalidInputError('The form body could not be read.'),
          undefined,
        );
        return;
      }
      done(null, new FormBody(text, params));
    },
  );
}
