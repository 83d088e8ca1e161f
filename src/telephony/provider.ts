import type { ContactKind, Language } from '../domain/types.ts';

/**
 * What every telephony provider adapter does, in our own types. Adding a provider means writing one
 * folder under telephony/ and listing it in registry.ts.
 */

/** An HTTP request as the webhook layer hands it over, before anything is trusted. */
export interface WebhookRequest {
  /** Public URL the provider called (PUBLIC_URL + path and query), which signatures cover. */
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string | string[] | undefined>;
  /** The body as received ("" for a GET), which some signatures cover. */
  rawBody: string;
  /** Form fields of a form-encoded POST, or the query of a GET; values are strings. */
  params: Record<string, string>;
  /** The decoded body of a JSON POST, else null. */
  json: unknown;
  query: URLSearchParams;
}

/** What a verified webhook means for the hotline. */
export type WebhookEvent =
  | { type: 'contact'; contact: InboundContact }
  | { type: 'status'; status: DeliveryStatus }
  /** Something the hotline does not track (a call's progress, an unknown event type). */
  | { type: 'ignored' };

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
  /** In the shared vocabulary of domain/delivery.ts (each adapter maps its own onto it). */
  status: string;
  errorCode: string | null;
  /** Actual price in micro-units when the provider says it, else null. */
  priceMicros: number | null;
  /** Currency of that price (ISO 4217) when the provider names it; null means the account's. */
  priceCurrency: string | null;
  /** Our idempotency key, echoed back through the status callback URL. */
  idempotencyKey: string | null;
}

/** Message found at the provider when reconciling an interrupted send. */
export interface SentMessage {
  sid: string;
  status: string;
}

/**
 * What a provider knows of a send that may have happened: the message, "surely not sent" (null),
 * or "ask again later" when the provider cannot be asked and its delivery report is awaited.
 */
export type SendLookup = SentMessage | null | { waitUntil: number };

export interface TelephonyProvider {
  readonly name: string;
  /** Only the simulator may text ARCEP fiction numbers. */
  readonly acceptsFictionNumbers: boolean;
  /** Endpoint (see endpoints.ts) that the delivery reports of our replies are sent to. */
  readonly statusEndpoint: string;
  /**
   * Checks the webhook's signature (in constant time, and its age where the provider signs one).
   * Nothing else may be read from an unverified request.
   */
  verify(request: WebhookRequest): boolean | Promise<boolean>;
  /** What a verified request to one of the provider's endpoints means; InvalidInputError if malformed. */
  read(endpoint: string, request: WebhookRequest): WebhookEvent;
  renderVoice(answer: VoiceAnswer): RenderedResponse;
  /** Acknowledges an inbound text without replying to it right away. */
  renderTextAck(): RenderedResponse;
  sendSms(sms: OutboundSms): Promise<SendResult>;
  /**
   * After a send whose outcome is unknown (a crash, a timeout, a 5xx): was it sent? Looks for a
   * message sent with this key (or to this number since `since`, when the attempt was made).
   */
  findSent(sms: OutboundSms, since: number, now: number): Promise<SendLookup>;
}
