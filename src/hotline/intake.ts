import { UnknownLineError } from '../domain/errors.ts';
import { DEFAULT_TEXTS } from '../domain/messages.ts';
import { classifyNumber, toE164, type ClassifiedNumber } from '../domain/phone.ts';
import type { Clock } from '../domain/clock.ts';
import type { Line } from '../domain/types.ts';
import type { IntakeLog } from '../intake/log.ts';
import type { RuleBook } from '../policy/rules.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { InboundContact, VoiceAnswer } from '../telephony/provider.ts';
import type { CallerMemory } from './caller-memory.ts';
import type { LineDirectory } from './line-directory.ts';
import type { CallerStanding, IntakeResult, IntakeStore } from './ports.ts';
import type { IntakeProcessor } from './processor.ts';

export { rangeIndex } from './processor.ts';

/** A webhook's event, durable in the intake log, and how to answer it. */
export interface Accepted {
  line: Line;
  /** The event's id in the intake log; null when the provider had delivered it already. */
  logId: number | null;
  duplicate: boolean;
  /** How to answer a call; null for texts. */
  answer: VoiceAnswer | null;
}

export interface IntakeOutcome {
  line: Line;
  result: IntakeResult;
  /** How to answer a call; null for texts. */
  answer: VoiceAnswer | null;
}

export interface IntakeOptions {
  log: IntakeLog;
  store: IntakeStore;
  processor: IntakeProcessor;
  lines: LineDirectory;
  standing: CallerMemory;
  vault: NumberVault;
  clock: Clock;
  /** The operator's rules, to refuse calls from a blocked prefix. */
  rules(): Promise<RuleBook>;
}

/** Numbers seen lately: raids come back from the same numbers, and reading one is not free. */
const CLASSIFIED_CACHE = 10_000;

/** A caller's number as the intake log stores it, kept for the next webhook from him. */
interface KnownCaller {
  classified: ClassifiedNumber;
  /** Blind index (HMAC) of the normalised number. */
  index: string;
  /** The number encrypted under key version `version`; a rotation makes it stale. */
  enc: string;
  version: number;
}

/**
 * The webhook's side of the hotline. `accept` writes the event to the intake log and says how to
 * answer, from what this process holds in memory (the line, the blocklist, the callers it saw):
 * nothing else waits on the database. The processor records the event right after (contact,
 * reply, evidence, alerts). `receive` does both and returns what was recorded, for the pretend
 * phone, the replay and the command line.
 */
export class Intake {
  readonly #o: IntakeOptions;
  readonly #known = new Map<string, KnownCaller>();

  constructor(options: IntakeOptions) {
    this.#o = options;
  }

  async accept(provider: string, contact: InboundContact): Promise<Accepted> {
    const o = this.#o;
    // Providers send E.164 already; parsing is only needed for other spellings.
    const lineNumber = /^\+\d{6,15}$/.test(contact.to)
      ? contact.to
      : (toE164(contact.to) ?? contact.to);
    const line = await o.lines.byNumber(lineNumber);
    if (!line || line.provider !== provider) throw new UnknownLineError(lineNumber);

    const now = o.clock.now();
    const { classified: caller, index, enc } = this.#caller(contact.from);
    let standing: CallerStanding | null = null;
    if (contact.kind === 'call') {
      standing = {
        repeat: o.standing.seenSince(line.id, index, now - line.cooldownMs),
        blocked:
          (await o.standing.isBlocked(index)) ||
          (await o.rules()).blockedPrefix(caller.normalized) !== null,
      };
    }
    const logId = await o.log.append({
      provider,
      providerSid: contact.providerSid,
      lineId: line.id,
      kind: contact.kind,
      receivedAt: now,
      callerIndex: index,
      callerEnc: enc,
      callerType: caller.type,
      callerCountry: caller.country,
      body: contact.body,
    });
    if (logId !== null) o.standing.see(line.id, index, now);
    return {
      line,
      logId,
      duplicate: logId === null,
      answer: standing ? voiceAnswer(line, standing) : null,
    };
  }

  /** Accepts the event and waits until it is recorded; returns what recording it gave. */
  async receive(provider: string, contact: InboundContact): Promise<IntakeOutcome> {
    const o = this.#o;
    const accepted = await this.accept(provider, contact);
    const { line, answer } = accepted;
    if (accepted.logId === null) {
      await o.processor.drain();
      const stored = await o.store.lookup(provider, contact.providerSid);
      if (stored) return { line, answer, result: { ...stored, duplicate: true } };
      throw new Error(`message ${contact.providerSid} was delivered twice but is not recorded`);
    }
    let result: IntakeResult | null = null;
    const failed: { error?: Error } = {};
    const id = accepted.logId;
    const recorded = o.processor.waitFor(id).then(
      (p) => (result = p.result),
      (error: unknown) =>
        (failed.error = error instanceof Error ? error : new Error(String(error))),
    );
    await o.processor.drain();
    // Recorded by this process, or meanwhile by another one sharing the database.
    for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
      await Promise.race([recorded, new Promise((resolve) => setTimeout(resolve, wait))]);
      if (result) return { line, answer, result };
      if (failed.error) throw failed.error;
      const stored = await o.store.lookup(provider, contact.providerSid);
      if (stored) {
        o.processor.forget(id);
        return { line, answer, result: stored };
      }
      o.processor.wake();
    }
  }

  /**
   * The caller's number parsed, indexed and encrypted, from memory when he wrote lately. His
   * stored ciphertext is then the same as last time (a fresh nonce per number and key version,
   * not per message): it tells no more than the blind index stored beside it already does.
   */
  #caller(raw: string): KnownCaller {
    const vault = this.#o.vault;
    const version = vault.currentVersion();
    let known = this.#known.get(raw);
    if (!known) {
      const classified = classifyNumber(raw);
      const index = vault.blindIndex(classified.normalized);
      known = { classified, index, enc: vault.encrypt(classified.normalized), version };
      if (this.#known.size >= CLASSIFIED_CACHE) this.#known.clear();
      this.#known.set(raw, known);
    } else if (known.version !== version) {
      known.enc = vault.encrypt(known.classified.normalized);
      known.version = version;
    }
    return known;
  }
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
