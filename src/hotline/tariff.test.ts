import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../domain/clock.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { MICROS } from '../domain/types.ts';
import { checkTariff, TariffSettings, type Tariff, type TariffStore } from './tariff.ts';

const DEFAULTS: Tariff = {
  segmentPriceMicros: 160_000,
  dailyMicros: 5 * MICROS,
  monthlyMicros: 50 * MICROS,
  alertThresholds: [50, 80, 100],
};
const SAVED: Tariff = {
  segmentPriceMicros: 80_000,
  dailyMicros: 2 * MICROS,
  monthlyMicros: 20 * MICROS,
  alertThresholds: [80],
};

/** The settings table: what load() returns is what the last save (or a test) put there. */
class MemoryStore implements TariffStore {
  saved: Tariff | null = null;
  loads = 0;
  saves: { tariff: Tariff; actor: string; now: number }[] = [];
  /** When set, load() waits for this before answering (with what was saved when it was called). */
  gate: Promise<void> | null = null;

  async load(): Promise<Tariff | null> {
    this.loads++;
    const value = this.saved;
    if (this.gate) await this.gate;
    return value;
  }
  save(tariff: Tariff, actor: string, now: number): Promise<void> {
    this.saved = tariff;
    this.saves.push({ tariff, actor, now });
    return Promise.resolve();
  }
}

describe('checkTariff', () => {
  it('keeps a valid tariff, sorting and deduplicating the thresholds', () => {
    const checked = checkTariff({ ...SAVED, alertThresholds: [100, 50, 80, 50] });
    assert.deepEqual(checked, { ...SAVED, alertThresholds: [50, 80, 100] });
  });

  it('accepts the bounds: one micro-unit, a price of 10 and a cap of a million', () => {
    const edge = {
      segmentPriceMicros: 10 * MICROS,
      dailyMicros: 1,
      monthlyMicros: 1_000_000 * MICROS,
      alertThresholds: [],
    };
    assert.deepEqual(checkTariff(edge), edge);
    assert.deepEqual(checkTariff({ ...edge, alertThresholds: [1, 100] }).alertThresholds, [1, 100]);
  });

  it('drops fields that are not part of a tariff', () => {
    const checked = checkTariff({ ...SAVED, extra: 'x' } as Tariff);
    assert.deepEqual(Object.keys(checked).sort(), Object.keys(SAVED).sort());
  });

  it('refuses amounts that are negative, fractional, not numbers or implausibly large', () => {
    const bad: [Partial<Record<keyof Tariff, unknown>>, RegExp][] = [
      [{ segmentPriceMicros: -1 }, /price per segment/],
      // A free segment would let every reply under the caps; a zero cap is no way to stop sending.
      [{ segmentPriceMicros: 0 }, /price per segment must be an amount above 0.*pause the line/],
      [{ dailyMicros: 0 }, /daily cap must be an amount above 0/],
      [{ monthlyMicros: 0 }, /monthly cap must be an amount above 0/],
      [{ segmentPriceMicros: 0.5 }, /price per segment/],
      [{ segmentPriceMicros: '160000' }, /price per segment/],
      [{ segmentPriceMicros: 10 * MICROS + 1 }, /price per segment/],
      [{ segmentPriceMicros: Number.NaN }, /price per segment/],
      [{ dailyMicros: -5 }, /daily cap/],
      [{ dailyMicros: null }, /daily cap/],
      [{ monthlyMicros: 1_000_000 * MICROS + 1 }, /monthly cap/],
      [{ monthlyMicros: Number.POSITIVE_INFINITY }, /monthly cap/],
      [{ dailyMicros: 30 * MICROS }, /monthly cap cannot be smaller than the daily cap/],
    ];
    for (const [change, message] of bad)
      assert.throws(
        () => checkTariff({ ...SAVED, ...change } as Tariff),
        (error: unknown) => error instanceof InvalidInputError && message.test(error.message),
        JSON.stringify(change),
      );
  });

  it('refuses thresholds that are not up to 10 whole percentages from 1 to 100', () => {
    for (const alertThresholds of [
      [0],
      [101],
      [50.5],
      ['50'],
      [null],
      Array.from({ length: 11 }, (_, i) => i + 1),
      '50,80',
      null,
    ])
      assert.throws(
        () => checkTariff({ ...SAVED, alertThresholds } as Tariff),
        InvalidInputError,
        JSON.stringify(alertThresholds),
      );
  });
});

describe('TariffSettings', () => {
  const setup = () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    return { store, clock, settings: new TariffSettings(store, DEFAULTS, clock) };
  };

  it('uses the defaults (the environment) until a tariff is saved', async () => {
    const { settings } = setup();
    assert.deepEqual(await settings.current(), DEFAULTS);
    assert.equal(await settings.source(), 'environment');
  });

  it('sees a change made through update() at once, checked, with who and when', async () => {
    const { store, clock, settings } = setup();
    await settings.current();
    const returned = await settings.update({ ...SAVED, alertThresholds: [80, 80] }, 'alice');
    assert.deepEqual(returned, SAVED);
    assert.deepEqual(await settings.current(), SAVED);
    assert.equal(await settings.source(), 'dashboard');
    assert.deepEqual(store.saves, [{ tariff: SAVED, actor: 'alice', now: clock.now() }]);
  });

  it('saves nothing and keeps the tariff in force when update() is refused', async () => {
    const { store, settings } = setup();
    await assert.rejects(
      settings.update({ ...SAVED, dailyMicros: -1 }, 'alice'),
      InvalidInputError,
    );
    assert.deepEqual(store.saves, []);
    assert.deepEqual(await settings.current(), DEFAULTS);
  });

  it('reads the store once per TTL, and sees a change made elsewhere only after it', async () => {
    const { store, clock, settings } = setup();
    assert.deepEqual(await settings.current(), DEFAULTS);
    // Another process saves a tariff in the shared database.
    store.saved = SAVED;
    clock.advance(4_999);
    assert.deepEqual(await settings.current(), DEFAULTS);
    assert.equal(await settings.source(), 'environment');
    assert.equal(store.loads, 1, 'served from the cache');
    clock.advance(1);
    assert.deepEqual(await settings.current(), SAVED);
    assert.equal(await settings.source(), 'dashboard');
    assert.equal(store.loads, 2);
  });

  it('honours an injected TTL', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const settings = new TariffSettings(store, DEFAULTS, clock, 60_000);
    await settings.current();
    store.saved = SAVED;
    clock.advance(30_000);
    assert.deepEqual(await settings.current(), DEFAULTS);
    clock.advance(30_000);
    assert.deepEqual(await settings.current(), SAVED);
  });

  it('reads the store again when the clock goes back', async () => {
    const { store, clock, settings } = setup();
    await settings.current();
    store.saved = SAVED;
    clock.advance(-1);
    assert.deepEqual(await settings.current(), SAVED);
  });

  it('is not overwritten by a read that started before update()', async () => {
    const { store, settings } = setup();
    let open!: () => void;
    store.gate = new Promise<void>((resolve) => (open = resolve));
    const reading = settings.current(); // e.g. the worker, at the moment an operator saves
    const saving = settings.update(SAVED, 'alice');
    await saving;
    open();
    assert.deepEqual(await reading, DEFAULTS);
    store.gate = null;
    assert.deepEqual(await settings.current(), SAVED);
  });
});
