import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { UnknownLineError } from '../domain/errors.ts';
import { DEFAULT_TEXTS } from '../domain/messages.ts';
import { classifyNumber, maskNumber, toE164 } from '../domain/phone.ts';
import type { Clock } from '../domain/clock.ts';
import { THREAT_MARKED_BY, type Line } from '../domain/types.ts';
import type { RuleBook } from '../policy/rules.ts';
import type { TextClassifier } from '../policy/text/classifier.ts';
import { isStopRequest } from '../policy/text/stop.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { InboundContact, VoiceAnswer } from '../telephony/provider.ts';
import type { CallerStanding, IntakeResult, IntakeStore, LineStore } from './ports.ts';

export interface IntakeOutcome {
  line: Line;
  result: IntakeResult;
  /** How to answer a call; null for texts. */
  answer: VoiceAnswer | null;
}

export interface IntakeOptions {
  store: IntakeStore;
  lines: LineStore;
  vault: NumberVault;
  clock: Clock;
  replyExpiryMs: number;
  /** Labels inbound texts (insult, threat, sexual, spam, test); replaceable by a better one. */
  classifier: TextClassifier;
  /** The operator's rules, to refuse calls from a blocked prefix. */
  rules(): Promise<RuleBook>;
  /**
   * A text labelled threat was recorded: operators are alerted at once. Called after the contact
   * is durable; must not throw (the webhook is answered whatever it does).
   */
  onThreat?(threat: {
    line: string;
    at: number;
    contactId: number;
    callerId: number;
    raid: boolean;
  }): void;
  log: Logger;
}

/**
 * Records every call and text durably, schedules at most one reply per caller per line and
 * cooldown, and says how to answer a call. The webhook is acknowledged only after this returns.
 */
export class Intake {
  readonly #o: IntakeOptions;
  constructor(options: IntakeOptions) {
    this.#o = options;
  }

  async receive(provider: string, contact: InboundContact): Promise<IntakeOutcome> {
    // Providers send E.164 already; parsing is only needed for other spellings.
    const lineNumber = /^\+\d{6,15}$/.test(contact.to)
      ? contact.to
      : (toE164(contact.to) ?? contact.to);
    const line = await this.#o.lines.findByNumber(lineNumber);
    if (!line || line.provider !== provider) throw new UnknownLineError(lineNumber);

    const now = this.#o.clock.now();
    const caller = classifyNumber(contact.from);
    const labels = contact.body === null ? [] : this.#o.classifier.classify(contact.body).labels;
    const result = await this.#o.store.recordContact({
      lineId: line.id,
      kind: contact.kind,
      provider,
      providerSid: contact.providerSid,
      receivedAt: now,
      body: contact.body,
      labels: labels.length > 0 ? labels.join(',') : null,
      optOut: contact.body !== null && isStopRequest(contact.body),
      // A threat never withholds the reply on its own; it is kept as evidence and alerted.
      evidenceMark: labels.includes('threat') ? THREAT_MARKED_BY : null,
      caller: {
        number: caller.normalized,
        index: this.#o.vault.blindIndex(caller.normalized),
        enc: this.#o.vault.encrypt(caller.normalized),
        type: caller.type,
        country: caller.country,
        prefixIndex: rangeIndex(this.#o.vault, caller.normalized),
      },
      reply: {
        dueAt: now + line.delayMs,
        expiresAt: now + line.delayMs + this.#o.replyExpiryMs,
        cooldownSince: now - line.cooldownMs,
        idempotencyKey: randomUUID(),
      },
    });
    this.#o.log.info(
      {
        line: line.number,
        caller: maskNumber(caller.normalized),
        kind: contact.kind,
        outcome: result.outcome,
        duplicate: result.duplicate,
        ...(labels.length > 0 ? { labels } : {}),
      },
      'contact recorded',
    );
    if (labels.includes('threat') && !result.duplicate) {
      this.#o.onThreat?.({
        line: line.number,
        at: now,
        contactId: result.contactId,
        callerId: result.callerId,
        raid: line.shield.active,
      });
    }
    if (contact.kind !== 'call') return { line, result, answer: null };
    const blocked =
      result.callerBlocked || (await this.#o.rules()).blockedPrefix(caller.normalized) !== null;
    return {
      line,
      result,
      answer: voiceAnswer(line, { blocked, repeat: result.outcome !== 'reply_scheduled' }),
    };
  }
}

/**
 * Blind index of a number's range of 100 (all but its last two digits): raiders using numbers
 * from one batch share it, without the range being stored in clear. Null for a withheld number.
 */
export function rangeIndex(vault: NumberVault, normalized: string): string | null {
  if (!/^\+\d{8,15}$/.test(normalized)) return null;
  return vault.blindIndex(`range:${normalized.slice(0, -2)}`);
}

/**
 * A free <Reject/> for a blocked caller, for a caller coming back while the shield is on, and for
 * every caller of a line paused with rejection; everyone else hears the line's message.
 */
export function voiceAnswer(line: Line, caller: CallerStanding): VoiceAnswer {
  if (caller.blocked || (line.shield.active && caller.repeat)) return { kind: 'reject' };
  const texts = DEFAULT_TEXTS[line.language];
  if (line.paused) {
    if (line.rejectCallsWhenPaused) return { kind: 'reject' };
    return {
      kind: 'say',
      text: texts.pausedVoice,
      language: line.language,
      speechLanguage: texts.speechLanguage,
      speechVoice: texts.speechVoice,
    };
  }
  if (line.voiceAudioUrl) return { kind: 'play', url: line.voiceAudioUrl };
  return {
    kind: 'say',
    text: line.voiceText,
    language: line.language,
    speechLanguage: texts.speechLanguage,
    speechVoice: texts.speechVoice,
  };
}
