import type { ContactKind, Language } from '../domain/types.ts';

/**
 * What every telephony provider adapter does, in our own types. Adding a provider means writing one
 * folder under telephony/ and listing it in registry.ts.
 */

/** An HTTP request as the webhook layer hands it over, before anything is trusted. */
export interface WebhookRequest {
  /** Public URL the provider called (PUBLIC_URL + path and query), which signatures cover. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** Form fields or JSON members, already decoded; values are strings. */
  params: Record<string, string>;
}

export interface InboundContact {
  kind: ContactKind;
  /** Caller id as the provider sent it (may be "Anonymous" or empty). */
  from: string;
  /** The number that was called or texted: it picks the line. */
  to: string;
  providerSid: string;
  body: string | null;
}

/** How the hotline answers a call; each provider renders it in its own format. */
export type VoiceAnswer =
  | { kind: 'say'; text: string; language: Language; speechLanguage: string; speechVoice: string }
  | { kind: 'play'; url: string }
  | { kind: 'reject' };

export interface RenderedResponse {
  contentType: string;
  body: string;
}

export interface OutboundSms {
  from: string;
  to: string;
  body: string;
  /** Stable for one reply across retries and crashes. */
  idempotencyKey: string;
  statusCallbackUrl: string;
}

export type SendResult =
  | { ok: true; sid: string; status: string }
  | { ok: false; failure: SendFailure; errorCode: string | null; message: string };

/**
 * - not_processed: the provider surely did nothing (429, bad credentials): sending again is safe;
 * - ambiguous: it may have sent (timeout, 5xx): reconcile before any resend;
 * - rejected: it refused this message for good (invalid number, STOP…): do not retry.
 */
export type SendFailure = 'not_processed' | 'ambiguous' | 'rejected';

export interface DeliveryStatus {
  sid: string;
  status: string;
  errorCode: string | null;
  /** Actual price in micro-units when the provider says it, else null. */
  priceMicros: number | null;
  /** Our idempotency key, echoed back through the status callback URL. */
  idempotencyKey: string | null;
}

/** Message found at the provider when reconciling an interrupted send. */
export interface SentMessage {
  sid: string;
  status: string;
}

export interface TelephonyProvider {
  readonly name: string;
  /** Only the simulator may text ARCEP fiction numbers. */
  readonly acceptsFictionNumbers: boolean;
  /** Checks the webhook's signature in constant time. Nothing else may be read from an unverified request. */
  verify(request: WebhookRequest): boolean;
  parseCall(params: Record<string, string>): InboundContact;
  parseText(params: Record<string, string>): InboundContact;
  /**
   * A delivery report of a reply, or null for a report the hotline does not track (a call's
   * progress, sent to the same address when the number's status callback points there).
   */
  parseStatus(params: Record<string, string>, query: URLSearchParams): DeliveryStatus | null;
  renderVoice(answer: VoiceAnswer): RenderedResponse;
  /** Acknowledges an inbound text without replying to it right away. */
  renderTextAck(): RenderedResponse;
  sendSms(sms: OutboundSms): Promise<SendResult>;
  /** Looks for a message sent with this key (or to this number since `since`) after a crash. */
  findSent(sms: OutboundSms, since: number): Promise<SentMessage | null>;
}
