import type { Logger } from 'pino';
import type { AlertEvent } from '../alerts/events.ts';
import { budgetThresholdsReached } from '../alerts/events.ts';
import type { Tariff } from './tariff.ts';
import type { ShieldSettings } from '../config/load.ts';
import type { Clock } from '../domain/clock.ts';
import type { Line } from '../domain/types.ts';
import { budgetPeriods } from '../policy/budget-periods.ts';
import { describeShieldReason, type ShieldReason } from '../policy/shield-reason.ts';
import { evaluateShield, type Baseline } from '../policy/surge.ts';
import type { LineStore } from './ports.ts';

const MINUTE = 60_000;
/** The usual traffic changes slowly: it is measured again at most this often. */
const BASELINE_REFRESH_MS = 5 * MINUTE;
/**
 * Hostile newcomers over the slow window (30 minutes) are counted again at most this often: a
 * minute more or less changes nothing to a detector of slow raids, and the count is the monitor's
 * heaviest query.
 */
const SLOW_REFRESH_MS = MINUTE;
const HOSTILE_BASELINE_REFRESH_MS = 30 * MINUTE;
/**
 * Threats are alerted by the intake as they arrive; the monitor looks back this far for any whose
 * alert could not be stored then (the webhook is answered whatever the alert does).
 */
const THREAT_SWEEP_MS = 15 * MINUTE;

export interface TrafficCount {
  contacts: number;
  newCallers: number;
}

/** What the monitor needs from storage (implemented by storage/shield-repo.ts). */
export interface ShieldStore {
  /** Contacts and first-time callers of a line in [from, to). */
  traffic(lineId: number, from: number, to: number): Promise<TrafficCount>;
  /** First-time callers of a line in [from, to) who were abusive or kept coming back in it. */
  hostileNewcomers(lineId: number, from: number, to: number): Promise<number>;
  /** Texts labelled threat that a line received in [from, to), oldest first. */
  threats(
    lineId: number,
    from: number,
    to: number,
  ): Promise<{ contactId: number; callerId: number; at: number }[]>;
  periods(
    lineId: number,
    from: number,
    to: number,
  ): Promise<{ startedAt: number; endedAt: number | null }[]>;
  touch(lineId: number, lastSurgeAt: number): Promise<void>;
  /** Switches the shield if it is still as this process saw it; true when this call did. */
  switch(lineId: number, change: ShieldChange): Promise<boolean>;
}

export interface ShieldChange {
  /** The state this process saw; the change only happens if it still holds. */
  wasActive: boolean;
  active: boolean;
  trigger: 'auto' | 'operator';
  /** In English, for logs and older readers; `reason` holds the figures. */
  detail: string;
  reason: ShieldReason;
  now: number;
}

export interface ShieldMonitorDeps {
  lines: LineStore;
  shield: ShieldStore;
  spend(kind: 'day' | 'month', key: string): Promise<number>;
  alerts: { raise(event: AlertEvent): Promise<boolean>; deliverPending(): Promise<number> };
  clock: Clock;
  log: Logger;
  settings: ShieldSettings;
  budget: { timeZone: string; currency: string };
  /** Caps and alert thresholds in force (operators may change them from the dashboard). */
  tariff(): Promise<Tariff>;
}

/**
 * Watches every line's traffic, switches its shield on a surge and off after a quiet period (or as
 * the operator set it), raises alerts on shield changes and budget thresholds, and delivers pending
 * alerts. Several monitors may run (one per worker process): every switch is conditional, and alerts
 * are deduplicated by key.
 */
export class ShieldMonitor {
  readonly #d: ShieldMonitorDeps;
  readonly #baselines = new Map<number, { at: number; hostileAt: number; baseline: Baseline }>();
  readonly #slow = new Map<number, { at: number; count: number }>();
  /** Budget alerts this process already raised: the outbox dedupes too, this saves the writes. */
  readonly #raised = new Set<string>();
  /** Threat contacts whose alert this process has made sure of. */
  readonly #threatsSeen = new Set<number>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(deps: ShieldMonitorDeps) {
    this.#d = deps;
  }

  /** One look at every line and at the budget. */
  async tick(): Promise<void> {
    const now = this.#d.clock.now();
    for (const line of await this.#d.lines.list()) {
      await this.checkLine(line, now);
      await this.#checkThreats(line, now);
    }
    await this.#checkBudget(now);
    await this.#d.alerts.deliverPending();
  }

  async checkLine(line: Line, now: number): Promise<void> {
    const minute = await this.#d.shield.traffic(line.id, now - MINUTE, now);
    const sample = { ...minute, hostileNewcomers: await this.#hostileNewcomers(line.id, now) };
    const baseline = await this.#baseline(line.id, now);
    const e = evaluateShield(now, line.shield, sample, baseline, this.#d.settings);
    if (e.transition) {
      const trigger = line.shield.mode === 'auto' ? 'auto' : 'operator';
      const why = describeShieldReason(e.transition.reason, 'en');
      const changed = await this.#d.shield.switch(line.id, {
        wasActive: line.shield.active,
        active: e.active,
        trigger,
        detail: why,
        reason: e.transition.reason,
        now,
      });
      if (!changed) return;
      this.#d.log.warn(
        { line: line.number, shield: e.transition.to, why },
        `shield ${e.transition.to}`,
      );
      await this.#d.alerts.raise(
        e.transition.to === 'on'
          ? {
              kind: 'shield_on',
              line: line.number,
              at: now,
              trigger,
              detail: why,
              reason: e.transition.reason,
            }
          : {
              kind: 'shield_off',
              line: line.number,
              at: now,
              trigger,
              startedAt: line.shield.since ?? now,
            },
      );
    } else if (e.surge && e.active && e.lastSurgeAt !== line.shield.lastSurgeAt) {
      await this.#d.shield.touch(line.id, now);
    }
  }

  async #hostileNewcomers(lineId: number, now: number): Promise<number> {
    const cached = this.#slow.get(lineId);
    if (cached && now - cached.at < SLOW_REFRESH_MS && now >= cached.at) return cached.count;
    const window = this.#d.settings.slowWindowMs;
    const count = await this.#d.shield.hostileNewcomers(lineId, now - window, now);
    this.#slow.set(lineId, { at: now, count });
    return count;
  }

  /**
   * New callers the hotline's lines usually get per hour outside raids (over SHIELD_BASELINE,
   * shield periods left out): what the pacing keeps budget for.
   */
  async usualCallersPerHour(now: number): Promise<number> {
    // The daily cap is shared by every line: so is the reserve kept for their callers.
    let perMinute = 0;
    for (const line of await this.#d.lines.list())
      perMinute += (await this.#baseline(line.id, now)).newCallersPerMinute;
    return perMinute * 60;
  }

  /**
   * Usual contacts, new callers and hostile newcomers per minute over SHIELD_BASELINE, shield
   * periods left out.
   */
  async #baseline(lineId: number, now: number): Promise<Baseline> {
    const cached = this.#baselines.get(lineId);
    if (cached && now - cached.at < BASELINE_REFRESH_MS && now >= cached.at) return cached.baseline;
    // Hostile newcomers over a whole day are the costliest count, and their usual rate moves
    // slowest: it is measured again at most every HOSTILE_BASELINE_REFRESH_MS.
    const keepHostile =
      cached !== undefined &&
      now >= cached.hostileAt &&
      now - cached.hostileAt < HOSTILE_BASELINE_REFRESH_MS;
    const from = now - this.#d.settings.baselineMs;
    const to = now - MINUTE;
    const count = async (a: number, b: number) => ({
      ...(await this.#d.shield.traffic(lineId, a, b)),
      hostileNewcomers: keepHostile ? 0 : await this.#d.shield.hostileNewcomers(lineId, a, b),
    });
    const total = await count(from, to);
    const periods = await this.#d.shield.periods(lineId, from, to);
    let minutes = (to - from) / MINUTE;
    for (const p of periods) {
      const a = Math.max(from, p.startedAt);
      const b = Math.min(to, p.endedAt ?? to);
      if (b <= a) continue;
      const during = await count(a, b);
      total.contacts -= during.contacts;
      total.newCallers -= during.newCallers;
      total.hostileNewcomers -= during.hostileNewcomers;
      minutes -= (b - a) / MINUTE;
    }
    const fresh = perMinute(total, minutes);
    const baseline = keepHostile
      ? { ...fresh, hostileNewcomersPerMinute: cached.baseline.hostileNewcomersPerMinute }
      : fresh;
    this.#baselines.set(lineId, {
      at: now,
      hostileAt: keepHostile ? cached.hostileAt : now,
      baseline,
    });
    return baseline;
  }

  /** Raises the alert of every recent threat that has none yet (the outbox dedupes). */
  async #checkThreats(line: Line, now: number): Promise<void> {
    const from = now - THREAT_SWEEP_MS;
    const threats = (await this.#d.shield.threats(line.id, from, now + 1)).filter(
      (t) => !this.#threatsSeen.has(t.contactId),
    );
    if (threats.length === 0) return;
    const periods = await this.#d.shield.periods(line.id, from, now + 1);
    for (const t of threats) {
      const raid = periods.some((p) => p.startedAt <= t.at && (p.endedAt ?? Infinity) > t.at);
      await this.#d.alerts.raise({ kind: 'threat', line: line.number, raid, ...t });
      this.#threatsSeen.add(t.contactId);
    }
    // The memo only needs the sweep's window; keep it from growing through a long raid.
    if (this.#threatsSeen.size > 10_000) this.#threatsSeen.clear();
  }

  async #checkBudget(now: number): Promise<void> {
    const { day, month } = budgetPeriods(now, this.#d.budget.timeZone);
    const tariff = await this.#d.tariff();
    const caps = [
      ['day', day, tariff.dailyMicros],
      ['month', month, tariff.monthlyMicros],
    ] as const;
    for (const [period, key, cap] of caps) {
      const spent = await this.#d.spend(period, key);
      for (const threshold of budgetThresholdsReached(spent, cap, tariff.alertThresholds)) {
        const memo = `${period}:${key}:${threshold}`;
        if (this.#raised.has(memo)) continue;
        this.#raised.add(memo);
        await this.#d.alerts.raise({
          kind: 'budget',
          period,
          periodKey: key,
          threshold,
          spentMicros: spent,
          capMicros: cap,
          currency: this.#d.budget.currency,
          at: now,
        });
      }
    }
  }

  start(intervalMs: number): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.tick()
        .catch((error: unknown) => this.#d.log.error({ err: error }, 'shield check failed'))
        .finally(() => (this.#running = null));
    }, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}

function perMinute(total: TrafficCount & { hostileNewcomers: number }, minutes: number): Baseline {
  if (minutes < 1)
    return { contactsPerMinute: 0, newCallersPerMinute: 0, hostileNewcomersPerMinute: 0 };
  return {
    contactsPerMinute: Math.max(0, total.contacts) / minutes,
    newCallersPerMinute: Math.max(0, total.newCallers) / minutes,
    hostileNewcomersPerMinute: Math.max(0, total.hostileNewcomers) / minutes,
  };
}
