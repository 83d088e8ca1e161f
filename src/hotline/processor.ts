import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import { maskNumber } from '../domain/phone.ts';
import { THREAT_MARKED_BY, type ContactKind, type ContactOutcome } from '../domain/types.ts';
import type { LoggedEvent } from '../intake/log.ts';
import type { TextClassifier } from '../policy/text/classifier.ts';
import { isStopRequest } from '../policy/text/stop.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { CallerMemory } from './caller-memory.ts';
import type { LineDirectory } from './line-directory.ts';
import type { IntakeStore, NewContact, ProcessedEvent } from './ports.ts';

/** What the processor tells its subscribers (alerts, live screens, metrics), in recording order. */
export type HotlineEvent = {
  type: 'contact.recorded';
  at: number;
  lineId: number;
  line: string;
  /** The line's shield was on when the contact was recorded. */
  raid: boolean;
  kind: ContactKind;
  contactId: number;
  callerId: number;
  outcome: ContactOutcome;
  replyId: number | null;
  labels: string[];
  /** The provider had delivered this message before: nothing new was recorded. */
  duplicate: boolean;
};

export interface ProcessorOptions {
  store: IntakeStore;
  lines: LineDirectory;
  standing: CallerMemory;
  vault: NumberVault;
  classifier: TextClassifier;
  replyExpiryMs: number;
  log: Logger;
  /** The time events are received at, to tell how far behind the recording is. */
  clock: Clock;
  /** Events recorded per transaction at most. */
  batchSize?: number;
  /**
   * While webhooks keep arriving, the processor rests up to this many times as long as its last
   * batch took, so that answering them keeps most of the process's time; it runs flat out once
   * they stop.
   */
  restFactor?: number;
  /**
   * How far behind the webhooks the recording may fall during a flood: the rest shrinks as the
   * oldest event not yet recorded ages, and is gone once it is this old (milliseconds).
   */
  lagMs?: number;
  /** Webhooks received by this process so far (IntakeLog.received): they tell a flood. */
  arrivals?: () => number;
}

interface Waiter {
  resolve(event: ProcessedEvent): void;
  reject(error: unknown): void;
}

/**
 * Reads the intake log in order and in batches, and records each event: the text's labels, the
 * caller, the contact, the reply to schedule, the evidence entry (IntakeStore.processBatch, one
 * transaction a batch, exactly once across processes). Then it tells its subscribers. It wakes as
 * soon as this process appends to the log, and every `pollMs` for events other processes
 * appended. Under a flood it yields to the webhooks (see `restFactor`): the log absorbs the
 * flood and the backlog drains as soon as it slows.
 */
export class IntakeProcessor {
  readonly #o: ProcessorOptions;
  readonly #batchSize: number;
  readonly #busyBatchSize: number;
  readonly #restFactor: number;
  readonly #lagMs: number;
  readonly #listeners = new Set<(event: HotlineEvent) => void>();
  readonly #waiters = new Map<number, Waiter>();
  #running: Promise<void> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  #poll: NodeJS.Timeout | null = null;
  #stopped = false;
  #automatic = true;
  /** Events this process appended (when no `arrivals` count is given). */
  #appendedCount = 0;
  /** Webhooks received when the last batch ended, and until when the processor rests if more come. */
  #receivedAtBatchEnd = 0;
  #restUntil = 0;
  /** How old the oldest event waiting was after the last batch (0: none was waiting). */
  #behind = 0;
  #recorded = 0;

  constructor(options: ProcessorOptions) {
    this.#o = options;
    this.#batchSize = options.batchSize ?? 128;
    this.#busyBatchSize = Math.min(this.#batchSize, 32);
    this.#restFactor = options.restFactor ?? 64;
    this.#lagMs = options.lagMs ?? 10_000;
  }

  /** Events this process recorded since it started. */
  get recorded(): number {
    return this.#recorded;
  }

  /** Calls `listener` for every event recorded by this process; returns the unsubscribe. */
  subscribe(listener: (event: HotlineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** New events were appended by this process. */
  appended(count: number): void {
    this.#appendedCount += count;
    if (this.#automatic) this.wake();
  }

  /**
   * Leaves the log to other processes (`serve --role web`, with workers elsewhere): appends no
   * longer wake this one, and it stops looking at the log by itself. `drain` and `receive` still
   * record here when asked to.
   */
  leaveToOthers(): void {
    this.#automatic = false;
    if (this.#poll) clearInterval(this.#poll);
    if (this.#timer) clearTimeout(this.#timer);
    this.#poll = null;
    this.#timer = null;
  }

  /**
   * Resolves once this process has recorded the event with this log id; rejects when recording it
   * failed here (the event stays in the log and is tried again).
   */
  waitFor(id: number): Promise<ProcessedEvent> {
    return new Promise((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject });
      this.wake();
    });
  }

  /** Stops waiting for an event (recorded by another process). */
  forget(id: number): void {
    this.#waiters.delete(id);
  }

  /** Looks for work now (or as soon as the current pass ends, or its rest). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timer) return;
    if (this.#flooded() && performance.now() < this.#restUntil) {
      this.#restThenWake();
      return;
    }
    this.#running = this.#pass();
  }

  /** Also looks every `pollMs` for events appended by other processes. */
  start(pollMs: number): void {
    this.#stopped = false;
    this.#poll ??= setInterval(() => this.wake(), pollMs);
    this.#poll.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    if (this.#timer) clearTimeout(this.#timer);
    this.#poll = null;
    this.#timer = null;
    await this.#running;
  }

  /** Records every event in the log now, without resting (tests, replays, shutting down). */
  async drain(): Promise<void> {
    await this.#running;
    for (;;) {
      const { done } = await this.#batch(this.#batchSize);
      // Nothing recorded: the log is empty, or holds only events that keep failing, which wait
      // for the next pass.
      if (done === 0) return;
    }
  }

  /** Webhooks arrived since the last batch ended: a flood is on while this stays true. */
  #flooded(): boolean {
    return this.#received() > this.#receivedAtBatchEnd;
  }

  #received(): number {
    return this.#o.arrivals?.() ?? this.#appendedCount;
  }

  #restThenWake(): void {
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.wake();
      },
      Math.max(0, this.#restUntil - performance.now()),
    );
  }

  async #pass(): Promise<void> {
    try {
      for (;;) {
        this.#again = false;
        // During a flood, small batches: a batch holds the event loop (SQLite) or a connection
        // (PostgreSQL) for its whole length, and webhooks wait meanwhile. Full ones again once
        // the recording is `lagMs` behind, so that it catches up however many webhooks come.
        const limit =
          this.#flooded() && this.#behind < this.#lagMs ? this.#busyBatchSize : this.#batchSize;
        const started = performance.now();
        const { done, failed, newest } = await this.#batch(limit);
        const ended = performance.now();
        // A full batch leaves a backlog whose oldest event came after this batch's newest one.
        this.#behind = done + failed >= limit ? this.#o.clock.now() - newest : 0;
        this.#restUntil = ended + (ended - started) * this.#restFor(this.#behind);
        this.#receivedAtBatchEnd = this.#received();
        if (this.#stopped) return;
        const more = done + failed >= limit || this.#again;
        if (!more || (done === 0 && !this.#again)) return;
        // Let the webhooks that arrived meanwhile in; if there are any, rest before the next batch.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.#flooded()) {
          this.#restThenWake();
          return;
        }
      }
    } catch (error) {
      this.#o.log.error({ err: error }, 'could not record the events of the intake log');
    } finally {
      this.#running = null;
    }
  }

  /**
   * How many times its last batch's length the processor rests while webhooks arrive: all of
   * `restFactor` while it keeps up, less and less as the backlog ages, nothing once the oldest
   * event waiting is `lagMs` old. A burst is answered at the intake's own pace and recorded just
   * after; a flood that lasts gets recording at most about `lagMs` behind, webhooks slowing as
   * much as it takes.
   */
  #restFor(behindMs: number): number {
    return this.#restFactor * Math.max(0, 1 - behindMs / this.#lagMs);
  }

  async #batch(limit: number): Promise<{ done: number; failed: number; newest: number }> {
    const o = this.#o;
    await o.lines.refresh();
    const batch = await o.store.processBatch(limit, (event) => this.#prepare(event));
    for (const p of batch.done) this.#recordedOne(p);
    if (batch.done.length > 0) {
      // One line a batch: a raid of thousands of contacts is summed up, not spelled out.
      const outcomes: Record<string, number> = {};
      for (const { result } of batch.done) {
        const key = result.duplicate ? 'duplicate' : result.outcome;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
      o.log.info({ recorded: batch.done.length, outcomes }, 'contacts recorded');
    }
    for (const { event, error } of batch.failed) {
      o.log.error(
        { err: error, event: event.id, sid: event.providerSid, failures: event.failures + 1 },
        'could not record an event of the intake log; it is kept and tried again',
      );
      // Whoever waits for it (the pretend phone, a command) hears of the failure now.
      const waiter = this.#waiters.get(event.id);
      if (waiter) {
        this.#waiters.delete(event.id);
        waiter.reject(error);
      }
    }
    let newest = -Infinity;
    for (const { event } of [...batch.done, ...batch.failed]) {
      newest = Math.max(newest, event.receivedAt);
    }
    return { done: batch.done.length, failed: batch.failed.length, newest };
  }

  #prepare(event: LoggedEvent): NewContact {
    const o = this.#o;
    const line = o.lines.peekById(event.lineId);
    if (!line) throw new Error(`line ${event.lineId} of intake event ${event.id} is unknown`);
    const number = o.vault.decrypt(event.callerEnc);
    const labels = event.body === null ? [] : o.classifier.classify(event.body).labels;
    return {
      lineId: event.lineId,
      kind: event.kind,
      provider: event.provider,
      providerSid: event.providerSid,
      receivedAt: event.receivedAt,
      body: event.body,
      labels: labels.length > 0 ? labels.join(',') : null,
      optOut: event.body !== null && isStopRequest(event.body),
      // A threat never withholds the reply on its own; it is kept as evidence and alerted.
      evidenceMark: labels.includes('threat') ? THREAT_MARKED_BY : null,
      caller: {
        number,
        index: event.callerIndex,
        enc: event.callerEnc,
        type: event.callerType,
        country: event.callerCountry,
        prefixIndex: rangeIndex(o.vault, number),
      },
      reply: {
        dueAt: event.receivedAt + line.delayMs,
        expiresAt: event.receivedAt + line.delayMs + o.replyExpiryMs,
        cooldownSince: event.receivedAt - line.cooldownMs,
        idempotencyKey: randomUUID(),
      },
    };
  }

  #recordedOne(p: ProcessedEvent): void {
    const { event, contact, result } = p;
    const o = this.#o;
    this.#recorded++;
    o.standing.see(event.lineId, event.callerIndex, event.receivedAt);
    const line = o.lines.peekById(event.lineId);
    const labels = contact.labels ? contact.labels.split(',') : [];
    o.log.debug(
      {
        line: line?.number,
        caller: maskNumber(contact.caller.number),
        kind: event.kind,
        outcome: result.outcome,
        duplicate: result.duplicate,
        ...(labels.length > 0 ? { labels } : {}),
      },
      'contact recorded',
    );
    const message: HotlineEvent = {
      type: 'contact.recorded',
      at: event.receivedAt,
      lineId: event.lineId,
      line: line?.number ?? '',
      raid: line?.shield.active ?? false,
      kind: event.kind,
      contactId: result.contactId,
      callerId: result.callerId,
      outcome: result.outcome,
      replyId: result.replyId,
      labels,
      duplicate: result.duplicate,
    };
    for (const listener of this.#listeners) {
      try {
        listener(message);
      } catch (error) {
        o.log.error({ err: error }, 'a subscriber of recorded contacts failed');
      }
    }
    const waiter = this.#waiters.get(event.id);
    if (waiter) {
      this.#waiters.delete(event.id);
      waiter.resolve(p);
    }
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
