import { maskNumbersIn } from '../domain/phone.ts';
import type { SendLookup, SendResult } from './provider.ts';

/**
 * What the JSON send APIs (Telnyx, Vonage) have in common: one POST with a timeout, and the
 * answer sorted into the three failures the scheduler acts on (provider.ts, SendFailure).
 */

/** At most this long per API call; shorter when the worker lease is short (see registry.ts). */
export const MAX_TIMEOUT_MS = 15_000;

export type ApiAnswer = { status: number; body: unknown } | { unreachable: string };

export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): Promise<ApiAnswer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // A proxy's HTML page: sorted by status below.
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return { unreachable: cause?.message ?? (error as Error).message };
  }
}

export interface FailureFacts {
  /** "Telnyx", as the operator knows it. */
  provider: string;
  status: number;
  code: string | null;
  detail: string;
  /** The provider did not take the request at all (rate limited): resending is safe. */
  notProcessed: boolean;
  /** Our account or credentials are at fault, not the recipient: keep the reply, the operator must act. */
  account: string | null;
}

/** A refused or failed send, sorted; texts quoting the recipient's number are masked (they are stored and logged). */
export function sendFailure(f: FailureFacts): SendResult & { ok: false } {
  const details = maskNumbersIn(f.detail || 'no details');
  const message = `${f.provider} answered ${f.status}${f.code ? ` (error ${f.code})` : ''}: ${details}`;
  if (f.notProcessed)
    return { ok: false, failure: 'not_processed', errorCode: f.code ?? String(f.status), message };
  if (f.account)
    return {
      ok: false,
      failure: 'not_processed',
      errorCode: f.code,
      message: `${message}; ${f.account}`,
    };
  // A 5xx, or a success without a message id (a proxy's page), may still have sent it.
  if (f.status >= 500 || (f.status >= 200 && f.status < 300))
    return { ok: false, failure: 'ambiguous', errorCode: f.code, message };
  // Any other 4xx (invalid number, recipient opted out, not a mobile…) is final.
  return { ok: false, failure: 'rejected', errorCode: f.code ?? String(f.status), message };
}

export function unreachable(provider: string, why: string): SendResult {
  return {
    ok: false,
    failure: 'ambiguous',
    errorCode: null,
    message: `${provider} did not answer: ${why}`,
  };
}

/**
 * How long a send with an unknown outcome waits for the provider's delivery report before it is
 * taken as not sent, for providers that cannot be asked (see docs/providers.md). Telnyx and
 * Vonage report a message they took within seconds, and retry their webhooks for longer than this.
 */
export const DELIVERY_REPORT_WAIT_MS = 15 * 60_000;

/**
 * findSent for a provider without a lookup: its delivery report, carrying our key, settles the
 * reply. The wait runs from the attempt, and from the first time this process asks: a server that
 * was down for longer than the wait still gives the provider's retried reports their time before
 * sending again.
 */
export class DeliveryReportWait {
  readonly #firstAsked = new Map<string, number>();

  lookup(key: string, since: number, now: number): SendLookup {
    const first = this.#firstAsked.get(key) ?? now;
    this.#firstAsked.set(key, first);
    const until = Math.max(since + DELIVERY_REPORT_WAIT_MS, first + DELIVERY_REPORT_WAIT_MS);
    if (now < until) return { waitUntil: until };
    this.#firstAsked.delete(key);
    // Replies settled by their report are never asked about again: forget them after a day.
    for (const [k, at] of this.#firstAsked) if (now - at > 86_400_000) this.#firstAsked.delete(k);
    return null;
  }
}

/** Reads an optional member of an error answer, which may be of any shape: "" when it cannot. */
export function optional(read: () => string | null): string {
  try {
    return read() ?? '';
  } catch {
    return '';
  }
}
