/**
 * Vonage adapter: the Voice API for calls, the Messages API (v1) for texts.
 * https://developer.vonage.com/voice/voice-api/webhook-reference
 * https://developer.vonage.com/messages/concepts/signed-webhooks
 *
 * Answer URL (GET by default, or POST with JSON), answered with an NCCO:
 *   /webhooks/vonage/answer?to=33939000000&from=33612345678&uuid=…&conversation_uuid=CON-…
 * Call events (started, ringing, answered, completed…): POST JSON to /webhooks/vonage/event.
 * Inbound SMS: POST JSON to /webhooks/vonage/inbound
 *   {"channel":"sms","message_type":"text","message_uuid":"…","to":"33939000000","from":"33612345678","text":"Allô ?"}
 * Message status: POST JSON to /webhooks/vonage/status
 *   {"message_uuid":"…","status":"delivered","client_ref":"<our key>","usage":{"price":"0.0570","currency":"EUR"}}
 * Numbers come without "+". Every webhook is signed: `Authorization: Bearer <JWT>`, HS256 with the
 * account's signature secret, whose payload_hash is the SHA-256 of the body.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { verifySignature } from '@vonage/jwt';
import jwt from 'jsonwebtoken';
import { speakableText } from '../../domain/messages.ts';
import { withoutForbiddenCharacters } from '../../domain/operator-text.ts';
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
import type { VonageSettings } from '../../config/providers.ts';

/** A signed webhook older (or further ahead) than this is refused as a replay. */
const MAX_AGE_S = 5 * 60;

/** Vonage's message statuses in the shared vocabulary (domain/delivery.ts). */
const STATUSES: Record<string, string> = {
  submitted: 'sent',
  delivered: 'delivered',
  read: 'read',
  rejected: 'failed',
  undeliverable: 'undelivered',
};

const JSON_TYPE = 'application/json; charset=utf-8';

/** Vonage writes numbers without "+" (447700900001); ours are E.164. Words ("Unknown") stay. */
export function fromVonageNumber(value: string): string {
  return /^[1-9]\d{6,14}$/.test(value) ? `+${value}` : value;
}

function toVonageNumber(e164: string): string {
  return e164.replace(/^\+/, '');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'utf8');
  const y = Buffer.from(b.toLowerCase(), 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export class VonageProvider implements TelephonyProvider {
  readonly name = 'vonage';
  readonly acceptsFictionNumbers = false;
  readonly statusEndpoint = 'status';
  readonly #settings: VonageSettings;
  readonly #timeoutMs: number;
  readonly #wait = new DeliveryReportWait();

  constructor(settings: VonageSettings, timeoutMs = MAX_TIMEOUT_MS) {
    this.#settings = settings;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * The JWT is checked with Vonage's own verifier (signature and `exp`), then its age (`iat`,
   * within 5 minutes), that it names this application and account when they are set, and that it
   * was made for this request: `payload_hash` is the SHA-256 of the raw body of a POST; of a GET,
   * the hash of its query as a JSON object, which Vonage documents for its answer URL. A token
   * without payload_hash is refused.
   */
  verify(request: WebhookRequest): boolean {
    const header = request.headers.authorization;
    if (typeof header !== 'string') return false;
    const token = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header)?.[1];
    if (!token) return false;
    if (!verifySignature(token, this.#settings.signatureSecret)) return false;
    let claims: {
      iat?: unknown;
      payload_hash?: unknown;
      api_key?: unknown;
      application_id?: unknown;
    };
    try {
      const header64 = token.split('.')[0]!;
      const head = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8')) as {
        alg?: unknown;
      };
      if (head.alg !== 'HS256') return false;
      claims = JSON.parse(
        Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'),
      ) as typeof claims;
    } catch {
      return false;
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.iat !== 'number' || Math.abs(now - claims.iat) > MAX_AGE_S) return false;
    // The signature secret is the account's: a token made for another application of the same
    // account, or another account's key, is not for this hotline.
    const { application, account } = this.#settings;
    if (
      application &&
      claims.application_id !== undefined &&
      claims.application_id !== application.id
    )
      return false;
    if (account && claims.api_key !== undefined && claims.api_key !== account.apiKey) return false;
    // The token must name what it signs, or its body or query could be anything for 5 minutes.
    const hash = claims.payload_hash;
    if (typeof hash !== 'string') return false;
    const signed = request.method === 'POST' ? request.rawBody : JSON.stringify(request.params);
    return sameHex(hash, sha256(signed));
  }

  read(endpoint: string, request: WebhookRequest): WebhookEvent {
    if (endpoint === 'answer') {
      const p =
        request.method === 'GET' ? request.params : (request.json as Record<string, unknown>);
      const field = (name: string, required = false) =>
        request.method === 'GET'
          ? shortField(p as Record<string, string>, name, required)
          : jsonField(p, name, required);
      const uuid =
        request.method === 'GET'
          ? sidField(p as Record<string, string>, 'uuid')
          : jsonSid(p, 'uuid');
      return {
        type: 'contact',
        contact: {
          kind: 'call',
          from: fromVonageNumber(field('from')),
          to: fromVonageNumber(field('to', true)),
          providerSid: uuid,
          body: null,
        },
      };
    }
    const body = request.json;
    if (endpoint === 'inbound') {
      if (jsonField(body, 'channel') !== 'sms') return { type: 'ignored' };
      return {
        type: 'contact',
        contact: {
          kind: 'text',
          from: fromVonageNumber(jsonField(body, 'from')),
          to: fromVonageNumber(jsonField(body, 'to', true)),
          providerSid: jsonSid(body, 'message_uuid'),
          body: jsonText(body, 'text'),
        },
      };
    }
    if (endpoint === 'status') return { type: 'status', status: this.#status(body, request.query) };
    // A call's progress: nothing the hotline records.
    return { type: 'ignored' };
  }

  #status(body: unknown, query: URLSearchParams): DeliveryStatus {
    const status = jsonField(body, 'status', true);
    const price = decimalMicros(jsonField(body, 'usage.price'));
    // The reply's key comes back as client_ref; the address's ?key= is the same, when present.
    const ref = jsonField(body, 'client_ref', false, 100);
    return {
      sid: jsonSid(body, 'message_uuid'),
      status: STATUSES[status] ?? status,
      errorCode: errorCode(body),
      priceMicros: price,
      priceCurrency: price === null ? null : currencyCode(jsonField(body, 'usage.currency')),
      idempotencyKey: replyKey(new URLSearchParams({ key: ref })) ?? replyKey(query),
    };
  }

  /** An NCCO: `talk` in the line's language, `stream` for a recording; [] ends a refused call. */
  renderVoice(answer: VoiceAnswer): RenderedResponse {
    let ncco: unknown[] = [];
    if (answer.kind === 'say')
      ncco = [
        {
          action: 'talk',
          text: speakableText(answer.text, answer.language),
          language: withoutForbiddenCharacters(answer.speechLanguage),
        },
      ];
    else if (answer.kind === 'play')
      ncco = [{ action: 'stream', streamUrl: [withoutForbiddenCharacters(answer.url)] }];
    return { contentType: JSON_TYPE, body: JSON.stringify(ncco) };
  }

  renderTextAck(): RenderedResponse {
    return { contentType: JSON_TYPE, body: '{}' };
  }

  /**
   * POST /v1/messages, authenticated by a JWT of the application (RS256) or, without an
   * application, by the account's key and secret. The token is made here with jsonwebtoken, the
   * library Vonage's own generator wraps: that generator writes the private key to its debug log
   * (DEBUG=vonage:*), and a key must never reach a log.
   */
  async sendSms(sms: OutboundSms): Promise<SendResult> {
    const { application, account } = this.#settings;
    const authorization = application
      ? `Bearer ${applicationToken(application.id, application.privateKey)}`
      : `Basic ${Buffer.from(`${account!.apiKey}:${account!.apiSecret}`).toString('base64')}`;
    const answer = await postJson(
      `${this.#settings.apiUrl}/v1/messages`,
      { authorization },
      {
        message_type: 'text',
        channel: 'sms',
        to: toVonageNumber(sms.to),
        from: toVonageNumber(sms.from),
        text: sms.body,
        client_ref: sms.idempotencyKey,
        webhook_url: sms.statusCallbackUrl,
        webhook_version: 'v1',
      },
      this.#timeoutMs,
    );
    if ('unreachable' in answer) return unreachable('Vonage', answer.unreachable);
    const { status, body } = answer;
    const id = optional(() => jsonField(body, 'message_uuid', false, 128));
    if (status >= 200 && status < 300 && id) return { ok: true, sid: id, status: 'accepted' };
    const credentials = application
      ? 'check VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY'
      : 'check VONAGE_API_KEY and VONAGE_API_SECRET';
    return sendFailure({
      provider: 'Vonage',
      status,
      code: optional(() => errorCode(body)) || null,
      detail:
        optional(() => jsonField(body, 'detail', false, 500)) ||
        optional(() => jsonField(body, 'title', false, 500)),
      notProcessed: status === 429,
      account:
        status === 401 || status === 403
          ? credentials
          : status === 402
            ? 'the Vonage account is out of credit: top it up in the Vonage dashboard'
            : null,
    });
  }

  /** Vonage cannot find a message by client_ref: the status webhook, which carries it, decides. */
  findSent(sms: OutboundSms, since: number, now: number): Promise<SendLookup> {
    return Promise.resolve(this.#wait.lookup(sms.idempotencyKey, since, now));
  }
}

/** The claims Vonage asks of an application's token: its id, a unique jti, iat and exp. */
export function applicationToken(applicationId: string, privateKey: string): string {
  return jwt.sign({ application_id: applicationId, jti: randomUUID() }, privateKey, {
    algorithm: 'RS256',
    expiresIn: 300,
  });
}

/** Vonage's error code: the number of a status's `error.title`, or the tail of a problem's `type`. */
function errorCode(body: unknown): string | null {
  const title = optional(() => jsonField(body, 'error.title'));
  if (/^\d+$/.test(title)) return title;
  const type =
    optional(() => jsonField(body, 'error.type', false, 300)) ||
    optional(() => jsonField(body, 'type', false, 300));
  const tail = /#([\w-]{1,40})$/.exec(type)?.[1];
  return tail ?? null;
}
