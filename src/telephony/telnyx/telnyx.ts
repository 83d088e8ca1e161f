/**
 * Telnyx adapter. https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks
 *
 * Calls, through a TeXML application whose voice URL is /webhooks/telnyx/voice (form-encoded,
 * Twilio's field names), answered in TeXML:
 *   CallSid=v3:…&AccountSid=…&From=%2B33612345678&To=%2B33939000000&CallStatus=ringing&Direction=inbound
 * Texts and delivery reports, through the messaging profile's webhook (and each reply's
 * webhook_url), as JSON events:
 *   {"data":{"event_type":"message.received","id":"…","payload":{"id":"…","direction":"inbound",
 *     "from":{"phone_number":"+33612345678"},"to":[{"phone_number":"+33939000000"}],"text":"Allô ?"}}}
 *   {"data":{"event_type":"message.finalized","payload":{"id":"…","to":[{"status":"delivered"}],
 *     "cost":{"amount":"0.0040","currency":"USD"},"errors":[]}}}
 * Every webhook carries telnyx-signature-ed25519 (base64) over `${telnyx-timestamp}|${raw body}`.
 */
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import {
  currencyCode,
  decimalMicros,
  jsonField,
  jsonSid,
  jsonText,
  replyKey,
  shortField,
  sidField,
} from '../fields.ts';
import type {
  DeliveryStatus,
  OutboundSms,
  RenderedResponse,
  SendLookup,
  SendResult,
  TelephonyProvider,
  VoiceAnswer,
  WebhookEvent,
  WebhookRequest,
} from '../provider.ts';
import {
  DeliveryReportWait,
  MAX_TIMEOUT_MS,
  optional,
  postJson,
  sendFailure,
  unreachable,
} from '../send-api.ts';
import { renderTwiml } from '../twiml.ts';
import type { TelnyxSettings } from '../../config/providers.ts';

/** Telnyx's message statuses in the shared vocabulary (domain/delivery.ts). */
const STATUSES: Record<string, string> = {
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  sending_failed: 'failed',
  expired: 'failed',
  delivery_failed: 'undelivered',
  delivery_unconfirmed: 'unconfirmed',
};

/** Error codes about our account, not the recipient: https://developers.telnyx.com/api/errors */
const ACCOUNT_CODES = new Set(['10009', '10010', '10038', '10039', '40005']);
const RATE_LIMIT_CODES = new Set(['10011']);

export class TelnyxProvider implements TelephonyProvider {
  readonly name = 'telnyx';
  readonly acceptsFictionNumbers = false;
  /** Delivery reports come to the messaging address, which each reply's webhook_url names. */
  readonly statusEndpoint = 'messaging';
  readonly #settings: TelnyxSettings;
  readonly #webhook: TelnyxWebhook;
  readonly #timeoutMs: number;
  readonly #wait = new DeliveryReportWait();

  constructor(settings: TelnyxSettings, timeoutMs = MAX_TIMEOUT_MS) {
    this.#settings = settings;
    this.#webhook = new TelnyxWebhook(settings.publicKey);
    this.#timeoutMs = timeoutMs;
  }

  /** Telnyx's own verifier: the Ed25519 signature, and a timestamp within 5 minutes of now. */
  async verify(request: WebhookRequest): Promise<boolean> {
    const headers: Record<string, string> = {};
    for (const name of ['telnyx-signature-ed25519', 'telnyx-timestamp']) {
      const value = request.headers[name];
      if (typeof value !== 'string' || value === '') return false;
      headers[name] = value;
    }
    try {
      await this.#webhook.verify(request.rawBody, headers);
      return true;
    } catch {
      return false;
    }
  }

  read(endpoint: string, request: WebhookRequest): WebhookEvent {
    if (endpoint === 'voice') {
      const p = request.params;
      return {
        type: 'contact',
        contact: {
          kind: 'call',
          from: shortField(p, 'From'),
          to: shortField(p, 'To', true),
          providerSid: sidField(p, 'CallSid'),
          body: null,
        },
      };
    }
    const event = jsonField(request.json, 'data.event_type', true);
    const payload = (request.json as { data: { payload?: unknown } }).data.payload;
    if (event === 'message.received')
      return {
        type: 'contact',
        contact: {
          kind: 'text',
          from: jsonField(payload, 'from.phone_number'),
          to: jsonField(payload, 'to.0.phone_number', true),
          providerSid: jsonSid(payload, 'id'),
          body: jsonText(payload, 'text'),
        },
      };
    if (event === 'message.sent' || event === 'message.finalized')
      return { type: 'status', status: this.#status(payload, request.query) };
    return { type: 'ignored' };
  }

  #status(payload: unknown, query: URLSearchParams): DeliveryStatus {
    const status = jsonField(payload, 'to.0.status', true);
    const price = decimalMicros(jsonField(payload, 'cost.amount'));
    return {
      sid: jsonSid(payload, 'id'),
      status: STATUSES[status] ?? status,
      errorCode: jsonField(payload, 'errors.0.code') || null,
      priceMicros: price,
      priceCurrency: price === null ? null : currencyCode(jsonField(payload, 'cost.currency')),
      // The key of the reply's own webhook_url, as the signed payload states it; else the address's.
      idempotencyKey: signedKey(jsonField(payload, 'webhook_url', false, 2048)) ?? replyKey(query),
    };
  }

  renderVoice(answer: VoiceAnswer): RenderedResponse {
    return renderTwiml(answer);
  }

  renderTextAck(): RenderedResponse {
    return { contentType: 'application/json; charset=utf-8', body: '{}' };
  }

  /** POST /v2/messages; written against the HTTP API so that timeouts, retries (none) and error classes are ours. */
  async sendSms(sms: OutboundSms): Promise<SendResult> {
    const answer = await postJson(
      `${this.#settings.apiUrl}/v2/messages`,
      { authorization: `Bearer ${this.#settings.apiKey}` },
      { from: sms.from, to: sms.to, text: sms.body, webhook_url: sms.statusCallbackUrl },
      this.#timeoutMs,
    );
    if ('unreachable' in answer) return unreachable('Telnyx', answer.unreachable);
    const { status, body } = answer;
    const id = jsonField(body, 'data.id', false, 128);
    if (status >= 200 && status < 300 && id) {
      const state = jsonField(body, 'data.to.0.status') || 'queued';
      return { ok: true, sid: id, status: STATUSES[state] ?? 'queued' };
    }
    const code = optional(() => jsonField(body, 'errors.0.code')) || null;
    const detail =
      optional(() => jsonField(body, 'errors.0.detail', false, 500)) ||
      optional(() => jsonField(body, 'errors.0.title', false, 500));
    return sendFailure({
      provider: 'Telnyx',
      status,
      code,
      detail,
      notProcessed: status === 429 || (code !== null && RATE_LIMIT_CODES.has(code)),
      account:
        status === 401 || (code !== null && ACCOUNT_CODES.has(code))
          ? 'check TELNYX_API_KEY, and the account balance in the Telnyx portal'
          : null,
    });
  }

  /** Telnyx finds messages by its own id only: the delivery report, which names our key, decides. */
  findSent(sms: OutboundSms, since: number, now: number): Promise<SendLookup> {
    return Promise.resolve(this.#wait.lookup(sms.idempotencyKey, since, now));
  }
}

/** The `key` of a webhook_url named in a signed payload, or null. */
function signedKey(url: string): string | null {
  const parsed = url ? URL.parse(url) : null;
  return parsed ? replyKey(parsed.searchParams) : null;
}
