import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { NonmerciError } from '../domain/errors.ts';

/** The one place where domain errors become HTTP statuses. */
const STATUS: Record<string, number> = {
  invalid_input: 400,
  conflict: 409,
  signature_invalid: 403,
  line_unknown: 404,
  not_found: 404,
  unauthorized: 401,
  unsupported_media_type: 415,
  too_many_requests: 429,
};

export class HttpError extends NonmerciError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/**
 * Refused requests (4xx) carry a short reason, which may name the offending field or line number
 * (JSON-encoded, never a caller's number or a message body); failures (5xx) say only that the
 * provider should retry, and are logged with their cause.
 */
export function errorHandler(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  let status = 500;
  let code = 'internal_error';
  let message = 'Something went wrong while handling this request; it can be retried.';
  let field: string | null = null;
  if (error instanceof HttpError) {
    status = error.status;
    code = error.code;
    message = error.message;
  } else if (error instanceof NonmerciError) {
    status = STATUS[error.code] ?? 500;
    code = error.code;
    message = error.message;
    if (status < 500 && typeof error.details.field === 'string') field = error.details.field;
    if (typeof error.details.retryAfterSeconds === 'number')
      void reply.header('retry-after', String(error.details.retryAfterSeconds));
  } else if (
    'statusCode' in error &&
    typeof error.statusCode === 'number' &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  ) {
    // Fastify's own refusals: body too large, bad content type, unparsable body.
    status = error.statusCode;
    code =
      'code' in error && typeof error.code === 'string' ? error.code.toLowerCase() : 'bad_request';
    message = error.statusCode === 413 ? 'The request body is too large.' : error.message;
  }
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ status, code }, 'request refused');
  void reply
    .status(status)
    .type('application/json; charset=utf-8')
    .send(field ? { error: code, message, field } : { error: code, message });
}
