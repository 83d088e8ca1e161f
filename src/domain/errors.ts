/**
 * Typed errors carrying what the reader needs to act. They are mapped to HTTP statuses in one place
 * (web/errors.ts) and printed as-is by the command line.
 */
export class NonmerciError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** A setting is missing or wrong; the message names the variable and what to write instead. */
export class ConfigError extends NonmerciError {
  constructor(variable: string, message: string) {
    super('config_invalid', `${variable}: ${message}`, { variable });
  }
}

/** Input from outside (a webhook, a command) is malformed. */
export class InvalidInputError extends NonmerciError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('invalid_input', message, details);
  }
}

/** A webhook's signature is missing or does not match. */
export class SignatureError extends NonmerciError {
  constructor(
    message = 'The webhook signature is missing or does not match; nothing was recorded.',
  ) {
    super('signature_invalid', message);
  }
}

/** A webhook names a line this deployment does not carry. */
export class UnknownLineError extends NonmerciError {
  constructor(number: string) {
    super(
      'line_unknown',
      `No line is configured for ${number}; nothing was recorded. Add the line (HOTLINE_NUMBER) or fix the number in the provider console.`,
      { number },
    );
  }
}

/** Too many requests of one kind just now; the reader may try again after `retryAfterSeconds`. */
export class BusyError extends NonmerciError {
  constructor(message: string, retryAfterSeconds: number) {
    super('too_many_requests', message, { retryAfterSeconds });
  }
}
