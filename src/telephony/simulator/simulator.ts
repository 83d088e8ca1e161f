/**
 * The simulated phone network: the embedded default, with no account and no cost. Inbound calls and
 * texts arrive as webhooks exactly like a real provider's (form-encoded, signed), so they go through
 * the same intake, scheduler, policy and budget; only the transport is local. Outbound SMS land in
 * the `sim_messages` table, which `nonmerci call`/`text` and the dashboard read.
 *
 * Webhook: POST /webhooks/simulator/voice|sms, header X-Nonmerci-Signature = hex HMAC-SHA256 of the
 * raw body with a key derived from NONMERCI_SECRET.
 *   Sid=SIMCA…&From=%2B33639980012&To=%2B33939000000[&Body=…]
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { speakableText } from '../../domain/messages.ts';
import { deriveKey } from '../../privacy/number-vault.ts';
import { messageBody, replyKey, shortField, sidField } from '../fields.ts';
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

export const SIMULATOR_SIGNATURE_HEADER = 'x-nonmerci-signature';

/** The key that signs simulator webhooks, derived from the master secret. */
export function simulatorSigningKey(secret: string): Buffer {
  return deriveKey(secret, 'simulator-webhooks-v1');
}

/**
 * The hex HMAC-SHA256 of the endpoint's path (with its query, if any), a newline and the raw body.
 * The path is signed so that a text signed for /webhooks/simulator/sms cannot be replayed as a call
 * or a delivery report; the host is not, so the same signature works at the local address and
 * through PUBLIC_URL.
 */
export function simulatorSignature(key: Buffer, path: string, rawBody: string): string {
  return createHmac('sha256', key).update(`${path}\n${rawBody}`).digest('hex');
}

/** The path and query of a webhook's URL, as the simulator signs it. */
function signedPath(url: string): string {
  const parsed = URL.parse(url);
  return parsed ? parsed.pathname + parsed.search : url;
}

export interface SimulatedSms {
  sid: string;
  from: string;
  to: string;
  body: string;
  createdAt: number;
}

/** Where the simulator keeps what it "delivered". */
export interface SimOutbox {
  /** Stores a message once per idempotency key; returns the stored sid either way. */
  deliver(sms: OutboundSms, sid: string, segments: number, now: number): Promise<{ sid: string }>;
  findByKey(idempotencyKey: string): Promise<{ sid: string; segments: number } | null>;
}

export interface SimulatorOptions {
  signingKey: Buffer;
  outbox: SimOutbox;
  segmentPriceMicros: number;
  countSegments(body: string): number;
  now(): number;
  /** Called after each delivery, as a real provider's status callback would be. */
  onDelivered?(status: DeliveryStatus): Promise<void>;
}

export class SimulatorProvider implements TelephonyProvider {
  readonly name = 'simulator';
  readonly acceptsFictionNumbers = true;
  readonly statusEndpoint = 'status';
  readonly #o: SimulatorOptions;

  constructor(options: SimulatorOptions) {
    this.#o = options;
  }

  verify(request: WebhookRequest): boolean {
    const given = request.headers[SIMULATOR_SIGNATURE_HEADER];
    if (typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) return false;
    const expected = simulatorSignature(
      this.#o.signingKey,
      signedPath(request.url),
      request.rawBody,
    );
    return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'));
  }

  read(endpoint: string, request: WebhookRequest): WebhookEvent {
    const { params, query } = request;
    if (endpoint === 'voice') return { type: 'contact', contact: this.parseCall(params) };
    if (endpoint === 'sms') return { type: 'contact', contact: this.parseText(params) };
    return { type: 'status', status: this.parseStatus(params, query) };
  }

  parseCall(params: Record<string, string>): InboundContact {
    return {
      kind: 'call',
      from: shortField(params, 'From'),
      to: shortField(params, 'To', true),
      providerSid: sidField(params, 'Sid'),
      body: null,
    };
  }

  parseText(params: Record<string, string>): InboundContact {
    return {
      kind: 'text',
      from: shortField(params, 'From'),
      to: shortField(params, 'To', true),
      providerSid: sidField(params, 'Sid'),
      body: messageBody(params, 'Body'),
    };
  }

  parseStatus(params: Record<string, string>, query: URLSearchParams): DeliveryStatus {
    return {
      sid: sidField(params, 'Sid'),
      status: shortField(params, 'Status', true),
      errorCode: null,
      priceMicros: null,
      priceCurrency: null,
      idempotencyKey: replyKey(query),
    };
  }

  /**
   * The answer as JSON, its text cleaned as the Twilio adapter cleans it (speakableText):
   * `nonmerci call` prints this text to a terminal, where ESC would start an escape sequence.
   */
  renderVoice(answer: VoiceAnswer): RenderedResponse {
    const shown =
      answer.kind === 'say'
        ? { ...answer, text: speakableText(answer.text, answer.language) }
        : answer;
    return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(shown) };
  }

  renderTextAck(): RenderedResponse {
    return { contentType: 'application/json; charset=utf-8', body: '{"received":true}' };
  }

  async sendSms(sms: OutboundSms): Promise<SendResult> {
    const segments = this.#o.countSegments(sms.body);
    const { sid } = await this.#o.outbox.deliver(
      sms,
      `SIM${randomUUID().replaceAll('-', '')}`,
      segments,
      this.#o.now(),
    );
    await this.#o.onDelivered?.({
      sid,
      status: 'delivered',
      errorCode: null,
      priceMicros: segments * this.#o.segmentPriceMicros,
      priceCurrency: null,
      idempotencyKey: sms.idempotencyKey,
    });
    return { ok: true, sid, status: 'delivered' };
  }

  async findSent(sms: OutboundSms): Promise<SendLookup> {
    const found = await this.#o.outbox.findByKey(sms.idempotencyKey);
    return found ? { sid: found.sid, status: 'delivered' } : null;
  }
}
