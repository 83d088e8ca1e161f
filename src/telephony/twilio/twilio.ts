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
import webhooks from 'twilio/lib/webhooks/webhooks.js';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { speakableText } from '../../domain/messages.ts';
import { withoutForbiddenCharacters } from '../../domain/operator-text.ts';
import { messageBody, replyKey, shortField, sidField } from '../fields.ts';
import type {
  DeliveryStatus,
  InboundContact,
  OutboundSms,
  RenderedResponse,
  SendResult,
  SentMessage,
  TelephonyProvider,
  VoiceAnswer,
  WebhookRequest,
} from '../provider.ts';
import { TwilioMessagesApi, parsePrice, type TwilioCredentials } from './messages-api.ts';

const TWIML = 'text/xml; charset=utf-8';

export class TwilioProvider implements TelephonyProvider {
  readonly name = 'twilio';
  readonly acceptsFictionNumbers = false;
  readonly #authToken: string;
  readonly #api: TwilioMessagesApi;

  constructor(creds: TwilioCredentials, timeoutMs?: number) {
    this.#authToken = creds.authToken;
    this.#api = new TwilioMessagesApi(creds, timeoutMs);
  }

  verify(request: WebhookRequest): boolean {
    const signature = request.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') return false;
    return webhooks.validateRequest(this.#authToken, signature, request.url, request.params);
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
      idempotencyKey: replyKey(query),
    };
  }

  /**
   * TwiML built with the official builder, which escapes every text it is given but throws on a
   * character XML 1.0 forbids (NUL, ESC, a lone surrogate…). Those are removed first, whatever the
   * database holds (see speakableText), so one bad stored text cannot turn every call into a 500.
   */
  renderVoice(answer: VoiceAnswer): RenderedResponse {
    const twiml = new VoiceResponse();
    if (answer.kind === 'reject') {
      // <Reject/> as the first verb refuses the call before it is answered: it costs nothing.
      twiml.reject();
    } else {
      if (answer.kind === 'say') {
        twiml.say(
          {
            language: withoutForbiddenCharacters(answer.speechLanguage) as 'fr-FR',
            voice: withoutForbiddenCharacters(answer.speechVoice) as 'Polly.Lea',
          },
          speakableText(answer.text, answer.language),
        );
      } else twiml.play(withoutForbiddenCharacters(answer.url));
      twiml.hangup();
    }
    return { contentType: TWIML, body: twiml.toString() };
  }

  renderTextAck(): RenderedResponse {
    return { contentType: TWIML, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' };
  }

  sendSms(sms: OutboundSms): Promise<SendResult> {
    return this.#api.send(sms);
  }

  findSent(sms: OutboundSms, since: number): Promise<SentMessage | null> {
    return this.#api.findSent(sms, since);
  }
}
