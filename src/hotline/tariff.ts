import type { Clock } from '../domain/clock.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { MICROS } from '../domain/types.ts';

/** What a reply costs and how much may be spent: read at send time, editable from the dashboard. */
export interface Tariff {
  segmentPriceMicros: number;
  dailyMicros: number;
  monthlyMicros: number;
  /** Percentages of a cap at which operators are alerted, ascending. */
  alertThresholds: number[];
}

export interface TariffStore {
  /** The tariff saved from the dashboard, or null when the settings (environment) apply. */
  load(): Promise<Tariff | null>;
  save(tariff: Tariff, actor: string, now: number): Promise<void>;
}

/** Upper bounds that catch a slip of the keyboard (a cap typed in cents, a price in euros per SMS). */
const MAX_PRICE = 10 * MICROS;
const MAX_CAP = 1_000_000 * MICROS;

/** Checks an operator's tariff; the messages say what to type instead. */
export function checkTariff(t: Tariff): Tariff {
  // Zero is refused as at start: a free segment would let every reply under the caps, and a cap
  // of zero is no way to stop sending (pausing the line is).
  const whole = (v: unknown, max: number, what: string) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max)
      throw new InvalidInputError(
        `${what} must be an amount above 0 and at most ${max / MICROS} (in micro-units: a whole number). To stop sending, pause the line instead.`,
      );
  };
  whole(t.segmentPriceMicros, MAX_PRICE, 'The price per segment');
  whole(t.dailyMicros, MAX_CAP, 'The daily cap');
  whole(t.monthlyMicros, MAX_CAP, 'The monthly cap');
  if (t.monthlyMicros < t.dailyMicros)
    throw new InvalidInputError('The monthly cap cannot be smaller than the daily cap.');
  if (
    !Array.isArray(t.alertThresholds) ||
    t.alertThresholds.length > 10 ||
    t.alertThresholds.some((p) => !Number.isInteger(p) || p < 1 || p > 100)
  )
    throw new InvalidInputError(
      'Alert thresholds are up to 10 whole percentages from 1 to 100, e.g. 50, 80, 100.',
    );
  return {
    segmentPriceMicros: t.segmentPriceMicros,
    dailyMicros: t.dailyMicros,
    monthlyMicros: t.monthlyMicros,
    alertThresholds: [...new Set(t.alertThresholds)].sort((a, b) => a - b),
  };
}

/**
 * The tariff in force: the dashboard's if an operator saved one, else the settings'. Cached for a
 * few seconds, so the worker does not read it for every reply; other processes see a change within
 * that time, and this process at once.
 */
export class TariffSettings {
  readonly #store: TariffStore;
  readonly #defaults: Tariff;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  #cached: { at: number; tariff: Tariff; saved: boolean } | null = null;
  /** Bumped by every update, so a read that started before it cannot cache the old tariff. */
  #generation = 0;

  constructor(store: TariffStore, defaults: Tariff, clock: Clock, ttlMs = 5_000) {
    this.#store = store;
    this.#defaults = defaults;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  async current(): Promise<Tariff> {
    return (await this.#read()).tariff;
  }

  /** Where the tariff in force comes from. */
  async source(): Promise<'environment' | 'dashboard'> {
    return (await this.#read()).saved ? 'dashboard' : 'environment';
  }

  async update(tariff: Tariff, actor: string): Promise<Tariff> {
    const checked = checkTariff(tariff);
    this.#generation++;
    await this.#store.save(checked, actor, this.#clock.now());
    this.#generation++;
    this.#cached = null;
    return checked;
  }

  async #read() {
    const now = this.#clock.now();
    if (this.#cached && now - this.#cached.at < this.#ttlMs && now >= this.#cached.at)
      return this.#cached;
    const generation = this.#generation;
    const saved = await this.#store.load();
    const read = { at: now, tariff: saved ?? this.#defaults, saved: saved !== null };
    if (generation === this.#generation) this.#cached = read;
    return read;
  }
}
