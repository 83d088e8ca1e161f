/**
 * Twilio adapter. https://www.twilio.com/docs/usage/webhooks
 *
 * Voice webhook (form-encoded POST, signed with X-Twilio-Signature):
 *   CallSid=CA1234…&AccountSid=AC…&From=%2B33612345678&To=%2B33939000000&CallStatus=ringing&Direction=inbound
 * SMS webhook:
 *   MessageSid=SM1234…&From=%2B33612345678&To=%2B33939000000&Body=Bonjour&NumSegments=1
 * Status callback (StatusCallback of an outbound message):
 *   MessageSid=SM…&MessageStatus=delivered&ErrorCode=&To=%2B33612345678
 */
import { timingSafeEqual } from 'node:crypto';
import webhooks from 'twilio/lib/webhooks/webhooks.js';
import { messageBody, replyKey, shortField, sidField } from '../fields.ts';
import { emptyTwiml, renderTwiml } from '../twiml.ts';
import type {
  DeliveryStatus,
  InboundContact,
  OutboundSms,
  RenderedResponse,
  SendResult,
  SendLookup,
  TelephonyProvider,
  VoiceAnswer,
  WebhookEvent,
  WebhookRequest,
} from '../provider.ts';
import { TwilioMessagesApi, parsePrice, type TwilioCredentials } from './messages-api.ts';

export class TwilioProvider implements TelephonyProvider {
  readonly name = 'twilio';
  readonly acceptsFictionNumbers = false;
  readonly statusEndpoint = 'status';
  readonly #authToken: string;
  readonly #api: TwilioMessagesApi;

  constructor(creds: TwilioCredentials, timeoutMs?: number) {
    this.#authToken = creds.authToken;
    this.#api = new TwilioMessagesApi(creds, timeoutMs);
  }

  /**
   * The official check (twilio's validateRequest) tries the URL as received without its port, then
   * with it, then normalised: it computes the signature of the very URL Twilio called (PUBLIC_URL
   * and the path) first only when that URL has no port. That URL is checked first here, so a
   * genuine webhook costs one signature on any PUBLIC_URL; anything else goes through the full
   * check, which accepts the same set.
   */
  verify(request: WebhookRequest): boolean {
    const signature = request.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') return false;
    const expected = webhooks.getExpectedTwilioSignature(
      this.#authToken,
      request.url,
      request.params,
    );
    if (sameText(signature, expected)) return true;
    return webhooks.validateRequest(this.#authToken, signature, request.url, request.params);
  }

  read(endpoint: string, request: WebhookRequest): WebhookEvent {
    const { params, query } = request;
    if (endpoint === 'voice') return { type: 'contact', contact: this.parseCall(params) };
    if (endpoint === 'sms') return { type: 'contact', contact: this.parseText(params) };
    const status = this.parseStatus(params, query);
    return status ? { type: 'status', status } : { type: 'ignored' };
  }

  parseCall(params: Record<string, string>): InboundContact {
    return {
      kind: 'call',
      from: shortField(params, 'From'),
      to: shortField(params, 'To', true),
      providerSid: sidField(params, 'CallSid'),
      body: null,
    };
  }

  parseText(params: Record<string, string>): InboundContact {
    return {
      kind: 'text',
      from: shortField(params, 'From'),
      to: shortField(params, 'To', true),
      providerSid: sidField(params, 'MessageSid', 'SmsSid'),
      body: messageBody(params, 'Body'),
    };
  }

  parseStatus(params: Record<string, string>, query: URLSearchParams): DeliveryStatus | null {
    // The number's status callback (set by "nonmerci connect") reports calls here too.
    if (params.CallSid && !params.MessageSid && !params.SmsSid) return null;
    const status = params.MessageStatus ? 'MessageStatus' : 'SmsStatus';
    return {
      sid: sidField(params, 'MessageSid', 'SmsSid'),
      status: shortField(params, status, true),
      errorCode: shortField(params, 'ErrorCode') || null,
      priceMicros: parsePrice(shortField(params, 'Price')),
      priceCurrency: shortField(params, 'PriceUnit').toUpperCase() || null,
      idempotencyKey: replyKey(query),
    };
  }

  renderVoice(answer: VoiceAnswer): RenderedResponse {
    return renderTwiml(answer);
  }

  renderTextAck(): RenderedResponse {
    return emptyTwiml();
  }

  sendSms(sms: OutboundSms): Promise<SendResult> {
    return this.#api.send(sms);
  }

  findSent(sms: OutboundSms, since: number): Promise<SendLookup> {
    return this.#api.findSent(sms, since);
  }
}

/** Compares two signatures in constant time (for strings of equal length). */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
