import { ACCOUNT_ERRORS, NOT_PROCESSED_ERRORS } from './errors.ts';
import type { OutboundSms, SendResult, SentMessage } from '../provider.ts';
import { maskNumbersIn } from '../../domain/phone.ts';
import { MICROS } from '../../domain/types.ts';
import { MAX_TIMEOUT_MS } from '../send-api.ts';

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

export class TwilioMessagesApi {
  readonly #creds: TwilioCredentials;
  readonly #auth: string;
  readonly #timeoutMs: number;

  constructor(creds: TwilioCredentials, timeoutMs = MAX_TIMEOUT_MS) {
    this.#creds = creds;
    this.#timeoutMs = timeoutMs;
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
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      return {
        ok: false,
        failure: 'ambiguous',
        errorCode: null,
        message: `Twilio did not answer: ${(error as Error).message}`,
      };
    }
    const payload = (await response.json().catch(() => null)) as
      (TwilioMessage & { code?: number; message?: string }) | null;
    if (response.ok && payload?.sid) return { ok: true, sid: payload.sid, status: payload.status };
    const code = payload?.code !== undefined ? String(payload.code) : null;
    // Twilio's texts quote the destination number ("The 'To' number +336… is not valid"): masked
    // here, as this message is stored and logged.
    const details = maskNumbersIn(payload?.message ?? 'no details');
    const message = `Twilio answered ${response.status}${code ? ` (error ${code})` : ''}: ${details}`;
    if (response.status === 429 || (code && NOT_PROCESSED_ERRORS.has(code)))
      return { ok: false, failure: 'not_processed', errorCode: code ?? '429', message };
    if (response.status === 401 || (code && ACCOUNT_ERRORS.has(code))) {
      const fix = 'check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN';
      return {
        ok: false,
        failure: 'not_processed',
        errorCode: code,
        message: `${message}; ${fix}`,
      };
    }
    // A 5xx, or a success without a message id (a proxy's page), may still have sent it.
    if (response.status >= 500 || response.ok)
      return { ok: false, failure: 'ambiguous', errorCode: code, message };
    // Any other 4xx (21211 invalid number, 21610 STOP, 21614 not a mobile, 21635 landline…) is final.
    return { ok: false, failure: 'rejected', errorCode: code ?? String(response.status), message };
  }

  /** Finds a message with this body sent to this number since a moment (newest first, one page). */
  async findSent(sms: OutboundSms, since: number): Promise<SentMessage | null> {
    const query = new URLSearchParams({ To: sms.to, From: sms.from, PageSize: '50' });
    const response = await fetch(`${this.#url('/Messages.json')}?${query.toString()}`, {
      headers: { authorization: this.#auth },
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!response.ok) throw new Error(`Twilio message list answered ${response.status}`);
    const page = (await response.json()) as { messages?: TwilioMessage[] };
    const match = (page.messages ?? []).find(
      (m) =>
        m.body === sms.body && (!m.date_created || Date.parse(m.date_created) >= since - 120_000),
    );
    return match ? { sid: match.sid, status: match.status } : null;
  }
}

/** Twilio prices are negative decimal strings ("-0.07600"); we keep positive micro-units. */
export function parsePrice(price: string | null | undefined): number | null {
  if (price === null || price === undefined || price === '') return null;
  const n = Number(price);
  return Number.isFinite(n) ? Math.round(Math.abs(n) * MICROS) : null;
}
