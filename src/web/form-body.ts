import type { FastifyInstance } from 'fastify';
import { InvalidInputError } from '../domain/errors.ts';

/** A form-encoded body with the raw text kept for signature checks. */
export interface FormBody {
  raw: string;
  params: Record<string, string>;
}

export function isFormBody(body: unknown): body is FormBody {
  return typeof body === 'object' && body !== null && 'raw' in body && 'params' in body;
}

/**
 * Parses application/x-www-form-urlencoded bodies (what Twilio sends) into plain string fields,
 * keeping the raw text. A field given twice is refused: no provider webhook does that, and
 * accepting it would let a signed value be shadowed.
 */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, raw, done) => {
    const text = raw as string;
    const params: Record<string, string> = {};
    try {
      for (const [key, value] of new URLSearchParams(text)) {
        if (Object.hasOwn(params, key)) throw new InvalidInputError(`The field "${key.slice(0, 40)}" appears twice.`);
        params[key] = value;
      }
    } catch (error) {
      done(error instanceof InvalidInputError ? error : new InvalidInputError('The form body could not be read.'), undefined);
      return;
    }
    done(null, { raw: text, params } satisfies FormBody);
  });
}
