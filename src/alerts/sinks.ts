import type { AlertEvent } from './events.ts';

/** One formatted alert, ready to send, with the event it came from. */
export interface AlertMessage {
  subject: string;
  text: string;
  event: AlertEvent;
}

/**
 * Somewhere alerts go: a chat webhook, an e-mail address… `deliver` resolves once the sink took
 * the alert and rejects with an Error whose message says what went wrong in words an operator can
 * act on, without secrets (no webhook path, no SMTP password).
 */
export interface AlertSink {
  /** Stable and unique among the configured sinks; remembered per alert, so no comma. */
  readonly name: string;
  deliver(alert: AlertMessage): Promise<void>;
}

/** Checks a sink name can be stored in the comma-separated `delivered_to` column. */
export function assertSinkName(name: string): string {
  if (!/^[\w.:@-]+$/.test(name))
    throw new Error(`Alert sink name "${name}" may only hold letters, digits and _ . : @ -`);
  return name;
}

/** Removes every occurrence of each secret from a message (longest first). */
export function scrub(message: string, secrets: readonly (string | null | undefined)[]): string {
  let out = message;
  const list = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= 3)
    .sort((a, b) => b.length - a.length);
  for (const secret of list) out = out.split(secret).join('[hidden]');
  return out;
}

/** A short single-line excerpt of a text (a server's answer, an error). */
export function excerpt(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? error.cause.message : null;
    return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
  }
  return String(error);
}
