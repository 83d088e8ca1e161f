import { ACCOUNT_ERRORS, NOT_PROCESSED_ERRORS } from './errors.ts';
import type { OutboundSms, SendResult, SentMessage } from '../provider.ts';
import { MICROS } from '../../domain/types.ts';

/**
 * Client for Twilio's Messages API (2010-04-01), written against the HTTP interface rather than the
 * SDK so that timeouts, error classes and the base URL (regional endpoints, a test double) are ours.
 *
 * POST /2010-04-01/Accounts/{AccountSid}/Messages.json  To, From, Body, StatusCallback
 * → 201 {"sid":"SM…","status":"queued","num_segments":"1","price":null,…}
 * → 400 {"code":21211,"message":"The 'To' number … is not a valid phone number.","status":400}
 */
export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  apiUrl: string;
}

interface TwilioMessage {
  sid: string;
  status: string;
  body?: string;
  price?: string | null;
  date_created?: string;
}

const TIMEOUT_MS = 15_000;

export class TwilioMessagesApi {
  readonly #creds: TwilioCredentials;
  readonly #auth: string;

  constructor(creds: TwilioCredentials) {
    this.#creds = creds;
    this.#auth = `Basic ${Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString('base64')}`;
  }

  #url(path: string): string {
    return `${this.#creds.apiUrl}/2010-04-01/Accounts/${this.#creds.accountSid}${path}`;
  }

  async send(sms: OutboundSms): Promise<SendResult> {
    let response: Response;
    try {
      response = await fetch(this.#url('/Messages.json'), {
        method: 'POST',
        headers: { authorization: this.#auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          To: sms.to,
          From: sms.from,
          Body: sms.body,
          StatusCallback: sms.statusCallbackUrl,
        }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      return {
        ok: false,
        retryable: true,
        errorCode: null,
        message: `Twilio did not answer: ${(error as Error).message}`,
      };
    }
    const payload = (await response.json().catch(() => null)) as
      (TwilioMessage & { code?: number; message?: string }) | null;
    if (response.ok && payload?.sid) return { ok: true, sid: payload.sid, status: payload.status };
    const code = payload?.code !== undefined ? String(payload.code) : null;
    const message = `Twilio answered ${response.status}${code ? ` (error ${code})` : ''}: ${payload?.message ?? 'no details'}`;
    if (response.status === 429 || (code && NOT_PROCESSED_ERRORS.has(code)))
      return { ok: false, retryable: true, errorCode: code ?? '429', message };
    if (response.status >= 500) return { ok: false, retryable: true, errorCode: code, message };
    if (response.status === 401 || (code && ACCOUNT_ERRORS.has(code)))
      return { ok: false, retryable: true, errorCode: code, message };
    // Any other 4xx (21211 invalid number, 21610 STOP, 21614 not a mobile, 21635 landline…) is final.
    return { ok: false, retryable: false, errorCode: code ?? String(response.status), message };
  }

  /** Finds a message with this body sent to this number since a moment (newest first, one page). */
  async findSent(sms: OutboundSms, since: number): Promise<SentMessage | null> {
    const query = new URLSearchParams({ To: sms.to, From: sms.from, PageSize: '50' });
    const response = await fetch(`${this.#url('/Messages.json')}?${query.toString()}`, {
      headers: { authorization: this.#auth },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`Twilio message list answered ${response.status}`);
    const page = (await response.json()) as { messages?: TwilioMessage[] };
    const match = (page.messages ?? []).find(
      (m) =>
        m.body === sms.body && (!m.date_created || Date.parse(m.date_created) >= since - 120_000),
    );
    return match ? { sid: match.sid, status: match.status } : null;
  }

  async fetchPrice(sid: string): Promise<number | null> {
    const response = await fetch(this.#url(`/Messages/${encodeURIComponent(sid)}.json`), {
      headers: { authorization: this.#auth },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) return null;
    const message = (await response.json()) as TwilioMessage;
    return parsePrice(message.price);
  }
}

/** Twilio prices are negative decimal strings ("-0.07600"); we keep positive micro-units. */
export function parsePrice(price: string | null | undefined): number | null {
  if (price === null || price === undefined || price === '') return null;
  const n = Number(price);
  return Number.isFinite(n) ? Math.round(Math.abs(n) * MICROS) : null;
}
