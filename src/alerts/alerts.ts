import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { Language } from '../domain/types.ts';
import { alertKey, formatAlert, parseAlertEvent, redactEvent, type AlertEvent } from './events.ts';
import type { FilteredSink } from './destinations.ts';
import { errorMessage, type AlertSink } from './sinks.ts';

/** pending: still to deliver; delivered: every sink took it; failed: given up after too many tries. */
export type AlertStatus = 'pending' | 'delivered' | 'failed';

export interface StoredAlert {
  id: number;
  key: string;
  kind: string;
  /** JSON of the (redacted) AlertEvent. */
  payload: string;
  createdAt: number;
  nextAttemptAt: number;
  /** Delivery rounds started (claims), the current one included. */
  attempts: number;
  claimedUntil: number | null;
  /** Sinks that already took this alert; a retry skips them. */
  deliveredTo: string[];
  /** When the alert was settled: delivered everywhere, or given up. */
  deliveredAt: number | null;
  lastError: string | null;
  status: AlertStatus;
}

/** The durable outbox of alerts (src/storage/alerts-repo.ts). */
export interface AlertStore {
  /** Stores the alert unless one with this key exists; true when stored now. */
  enqueue(a: { key: string; kind: string; payload: string; now: number }): Promise<boolean>;
  /**
   * Claims up to `limit` unsettled alerts due now for `leaseMs`, counting an attempt; safe with
   * several processes. A claimed alert is not claimed again before its lease ends.
   */
  claimDue(now: number, limit: number, leaseMs: number): Promise<StoredAlert[]>;
  /** Records the sinks that took it (all of them so far); `done`: every configured sink did. */
  markDelivered(id: number, sinks: string[], done: boolean, now: number): Promise<void>;
  /** Releases the claim; the alert is due again at `nextAttemptAt`. */
  retryLater(id: number, sinksDone: string[], error: string, nextAttemptAt: number): Promise<void>;
  /** Settles the alert as failed: it will not be tried again. */
  giveUp(id: number, sinksDone: string[], error: string, now: number): Promise<void>;
  /** The latest alerts, newest first (for a dashboard / CLI). */
  recent(limit: number): Promise<StoredAlert[]>;
}

export interface AlertsOptions {
  store: AlertStore;
  /**
   * Where alerts go: a fixed list, or one read at each delivery (destinations set in the
   * dashboard). A sink with `wants` only takes the kinds it wants.
   */
  sinks: readonly FilteredSink[] | (() => Promise<readonly FilteredSink[]>);
  clock: Clock;
  log: Logger;
  language: Language;
  timeZone: string;
  /** Delivery attempts before giving up; default 8 (about an hour of retries). */
  maxAttempts?: number;
  /** Alerts delivered per `deliverPending` call at most; default 20. */
  batchSize?: number;
  /**
   * How long a process holds an alert it is delivering before another may take it over. Alerts are
   * claimed one at a time, so this only needs to cover one alert's sinks (their timeouts). Default 5 min.
   */
  leaseMs?: number;
}

const BACKOFF_FIRST_MS = 30_000;
const BACKOFF_MAX_MS = 60 * 60_000;

/** Wait before the next try after the `attempt`-th failed one: 30 s, 1 min, 2 min, 4 min… ≤ 1 h. */
export function alertBackoff(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, attempt - 1));
}

/**
 * Raises alerts into the durable outbox and delivers them to every configured sink, at least once
 * each: a sink that took an alert is remembered and skipped on retries, and one failing sink does
 * not keep the others from receiving it. With no sink configured, alerts are still stored and
 * logged (the dashboard shows them).
 */
export class Alerts {
  readonly #store: AlertStore;
  readonly #sinks: () => Promise<readonly FilteredSink[]>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #language: Language;
  readonly #timeZone: string;
  readonly #maxAttempts: number;
  readonly #batchSize: number;
  readonly #leaseMs: number;

  constructor(options: AlertsOptions) {
    const { sinks } = options;
    if (typeof sinks === 'function') this.#sinks = sinks;
    else {
      const names = new Set(sinks.map((s) => s.name));
      if (names.size !== sinks.length)
        throw new Error('Two alert sinks share a name; each needs its own');
      this.#sinks = () => Promise.resolve(sinks);
    }
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#language = options.language;
    this.#timeZone = options.timeZone;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.#batchSize = options.batchSize ?? 20;
    this.#leaseMs = options.leaseMs ?? 5 * 60_000;
  }

  /**
   * Stores the alert for delivery unless the same one (same key, see `alertKey`) was raised
   * before, by this process or another. Logs it at warn level when newly raised. Resolves true
   * when newly raised; rejects when the store cannot be reached.
   */
  async raise(event: AlertEvent): Promise<boolean> {
    const clean = redactEvent(event);
    const key = alertKey(clean);
    const stored = await this.#store.enqueue({
      key,
      kind: clean.kind,
      payload: JSON.stringify(clean),
      now: this.#clock.now(),
    });
    if (stored) {
      const { subject } = formatAlert(clean, 'en', this.#timeZone);
      this.#log.warn({ alert: clean, alertKey: key }, subject);
    }
    return stored;
  }

  /**
   * Delivers the alerts that are due, one claim at a time, up to the batch size. Returns how many
   * were settled as delivered. Failures are kept for a later call (backoff 30 s, 1 min, 2 min…)
   * and given up after `maxAttempts`, with an error in the log.
   */
  async deliverPending(): Promise<number> {
    let delivered = 0;
    for (let i = 0; i < this.#batchSize; i++) {
      const [alert] = await this.#store.claimDue(this.#clock.now(), 1, this.#leaseMs);
      if (!alert) break;
      if (await this.#deliver(alert)) delivered++;
    }
    return delivered;
  }

  /**
   * Sends a test alert straight to one sink, outside the outbox: resolves when the sink took it,
   * rejects with what went wrong.
   */
  async test(sink: AlertSink, language: Language): Promise<void> {
    const at = this.#clock.now();
    const event: AlertEvent = { kind: 'test', at };
    await sink.deliver({ ...formatAlert(event, language, this.#timeZone), event });
  }

  /** The latest alerts, newest first. */
  recent(limit = 50): Promise<StoredAlert[]> {
    return this.#store.recent(limit);
  }

  async #deliver(alert: StoredAlert): Promise<boolean> {
    const event = parseAlertEvent(alert.payload);
    if (!event) {
      const error = `unreadable alert payload (kind ${alert.kind})`;
      await this.#store.giveUp(alert.id, alert.deliveredTo, error, this.#clock.now());
      this.#log.error({ alertId: alert.id, alertKey: alert.key }, `alert dropped: ${error}`);
      return false;
    }
    const message = { ...formatAlert(event, this.#language, this.#timeZone), event };
    const done = new Set(alert.deliveredTo);
    const pending = (await this.#sinks()).filter(
      (s) => !done.has(s.name) && (s.wants?.(event.kind) ?? true),
    );
    const errors: string[] = [];
    for (const [index, sink] of pending.entries()) {
      try {
        await sink.deliver(message);
        done.add(sink.name);
        // Remembered at once, so a crash before the next sink does not send this one twice.
        if (index < pending.length - 1)
          await this.#store.markDelivered(alert.id, [...done], false, this.#clock.now());
      } catch (error) {
        errors.push(`${sink.name}: ${errorMessage(error)}`);
      }
    }
    const now = this.#clock.now();
    if (errors.length === 0) {
      await this.#store.markDelivered(alert.id, [...done], true, now);
      return true;
    }
    const error = errors.join('; ');
    const context = {
      alertId: alert.id,
      alertKey: alert.key,
      attempt: alert.attempts,
      deliveredTo: [...done],
      error,
    };
    if (alert.attempts >= this.#maxAttempts) {
      await this.#store.giveUp(alert.id, [...done], error, now);
      this.#log.error(
        context,
        `alert "${alert.kind}" could not be delivered after ${alert.attempts} attempts; giving up`,
      );
      return false;
    }
    const retryAt = now + alertBackoff(alert.attempts);
    await this.#store.retryLater(alert.id, [...done], error, retryAt);
    this.#log.warn({ ...context, retryAt }, `alert "${alert.kind}" delivery failed; will retry`);
    return false;
  }
}
