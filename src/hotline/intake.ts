import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { UnknownLineError } from '../domain/errors.ts';
import { DEFAULT_TEXTS } from '../domain/messages.ts';
import { classifyNumber, maskNumber, toE164 } from '../domain/phone.ts';
import type { Clock } from '../domain/clock.ts';
import type { Line } from '../domain/types.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { InboundContact, VoiceAnswer } from '../telephony/provider.ts';
import type { IntakeResult, IntakeStore, LineStore } from './ports.ts';

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
    const result = await this.#o.store.recordContact({
      lineId: line.id,
      kind: contact.kind,
      provider,
      providerSid: contact.providerSid,
      receivedAt: now,
      body: contact.body,
      caller: {
        index: this.#o.vault.blindIndex(caller.normalized),
        enc: this.#o.vault.encrypt(caller.normalized),
        type: caller.type,
        country: caller.country,
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
      },
      'contact recorded',
    );
    return {
      line,
      result,
      answer: contact.kind === 'call' ? voiceAnswer(line, result.callerBlocked) : null,
    };
  }
}

/** A blocked caller, or any caller of a line paused with rejection, gets a free <Reject/>. */
export function voiceAnswer(line: Line, callerBlocked: boolean): VoiceAnswer {
  if (callerBlocked) return { kind: 'reject' };
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
