import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { budgetPeriods } from './budget-periods.ts';
import {
  PACING_STEP_MS,
  ceilingFor,
  pacedRecheckAt,
  pacingPlan,
  type PacingInput,
} from './pacing.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PRICE = 160_000; // 0.16 € a reply
const CAP = 5_000_000; // 5 € a day
// Local midnight in Paris at the end of 1 November 2026 (UTC+1): 23:00 UTC.
const DAY_END = Date.UTC(2026, 10, 1, 23, 0, 0);

function input(overrides: Partial<PacingInput> = {}): PacingInput {
  return {
    now: DAY_END - 6 * HOUR,
    dayEnd: DAY_END,
    dailyCapMicros: CAP,
    replyCostMicros: PRICE,
    usualCallersPerHour: 0.5,
    floorPerHour: 2,
    ...overrides,
  };
}

describe('pacingPlan', () => {
  it('keeps the floor per hour for every hour left when the line is usually quieter', () => {
    // max(0.5, 2) × 6 h = 12 callers, 12 × 0.16 € = 1.92 € kept, 3.08 € may be spent.
    assert.deepEqual(pacingPlan(input()), {
      expectedCallers: 12,
      reserveMicros: 1_920_000,
      ceilingMicros: 3_080_000,
    });
  });

  it("uses the line's usual rate when it is above the floor", () => {
    // max(3.5, 2) × 6 h = 21 callers → 3.36 € kept.
    assert.deepEqual(pacingPlan(input({ usualCallersPerHour: 3.5 })), {
      expectedCallers: 21,
      reserveMicros: 3_360_000,
      ceilingMicros: 1_640_000,
    });
  });

  it('rounds the callers still expected up, not the money', () => {
    // 2.5 h left at 1 an hour: 3 callers, not 2.5.
    const plan = pacingPlan(
      input({ now: DAY_END - 2.5 * HOUR, floorPerHour: 1, usualCallersPerHour: 0 }),
    );
    assert.equal(plan.expectedCallers, 3);
    assert.equal(plan.reserveMicros, 3 * PRICE);
    // 10 minutes left at 2 an hour: a third of a caller is still one caller.
    const late = pacingPlan(input({ now: DAY_END - 10 * MINUTE }));
    assert.deepEqual(late, {
      expectedCallers: 1,
      reserveMicros: PRICE,
      ceilingMicros: CAP - PRICE,
    });
  });

  it('keeps nothing back when no hour is left, at midnight or after it', () => {
    for (const now of [DAY_END, DAY_END + 1, DAY_END + 3 * HOUR]) {
      assert.deepEqual(pacingPlan(input({ now })), {
        expectedCallers: 0,
        reserveMicros: 0,
        ceilingMicros: CAP,
      });
    }
  });

  it('keeps nothing back when a reply costs nothing (or a negative price slips in)', () => {
    assert.deepEqual(pacingPlan(input({ replyCostMicros: 0 })), {
      expectedCallers: 12,
      reserveMicros: 0,
      ceilingMicros: CAP,
    });
    assert.deepEqual(pacingPlan(input({ replyCostMicros: -PRICE })), {
      expectedCallers: 12,
      reserveMicros: 0,
      ceilingMicros: CAP,
    });
  });

  it('expects no one when both the usual rate and the floor are zero', () => {
    assert.deepEqual(pacingPlan(input({ usualCallersPerHour: 0, floorPerHour: 0 })), {
      expectedCallers: 0,
      reserveMicros: 0,
      ceilingMicros: CAP,
    });
  });

  it('caps the reserve at the daily cap, so the ceiling is zero and never negative', () => {
    // 20 h left at 10 an hour: 200 callers × 0.16 € = 32 €, far above the 5 € cap.
    const plan = pacingPlan(input({ now: DAY_END - 20 * HOUR, floorPerHour: 10 }));
    assert.deepEqual(plan, { expectedCallers: 200, reserveMicros: CAP, ceilingMicros: 0 });
    // A reserve exactly equal to the cap: 16 h × 2 = 32 replies of a 32-reply cap.
    const exact = pacingPlan(input({ dailyCapMicros: 32 * PRICE, now: DAY_END - 16 * HOUR }));
    assert.deepEqual(exact, { expectedCallers: 32, reserveMicros: 32 * PRICE, ceilingMicros: 0 });
    // A cap of zero (send nothing) stays zero.
    assert.equal(pacingPlan(input({ dailyCapMicros: 0 })).ceilingMicros, 0);
  });

  it('releases the budget as the day goes by', () => {
    const at = (hoursLeft: number) =>
      pacingPlan(input({ now: DAY_END - hoursLeft * HOUR })).ceilingMicros;
    // 2 callers an hour kept: each hour that passes frees 2 × 0.16 €.
    assert.deepEqual(
      [at(6), at(5), at(4), at(1), at(0)],
      [3_080_000, 3_400_000, 3_720_000, 4_680_000, CAP],
    );
  });

  it('pairs with budgetPeriods: at 17:00 in Paris seven hours are left', () => {
    const now = Date.UTC(2026, 10, 1, 16, 0, 0); // 17:00 in Paris
    const { nextDayStart } = budgetPeriods(now, 'Europe/Paris');
    assert.equal(nextDayStart, DAY_END);
    const plan = pacingPlan(input({ now, dayEnd: nextDayStart }));
    assert.deepEqual(plan, {
      expectedCallers: 14,
      reserveMicros: 2_240_000,
      ceilingMicros: 2_760_000,
    });
  });

  it('keeps 0 ≤ reserve ≤ cap, ceiling = cap − reserve, and never keeps more later in the day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 24 * HOUR }),
        fc.integer({ min: 0, max: 24 * HOUR }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        fc.integer({ min: 0, max: 100 }),
        (leftA, leftB, cap, cost, usual, floor) => {
          const common = {
            dayEnd: DAY_END,
            dailyCapMicros: cap,
            replyCostMicros: cost,
            usualCallersPerHour: usual,
            floorPerHour: floor,
          };
          const earlier = pacingPlan({ ...common, now: DAY_END - Math.max(leftA, leftB) });
          const later = pacingPlan({ ...common, now: DAY_END - Math.min(leftA, leftB) });
          for (const p of [earlier, later]) {
            assert.ok(p.reserveMicros >= 0 && p.reserveMicros <= cap);
            assert.equal(p.ceilingMicros, cap - p.reserveMicros);
            assert.ok(p.ceilingMicros >= 0);
            assert.ok(Number.isInteger(p.expectedCallers) && p.expectedCallers >= 0);
          }
          assert.ok(later.reserveMicros <= earlier.reserveMicros);
          assert.ok(later.ceilingMicros >= earlier.ceilingMicros);
        },
      ),
    );
  });
});

describe('ceilingFor', () => {
  const plan = pacingPlan(input()); // ceiling 3.08 €

  it('lowers the ceiling by what the waiting replies ahead would take', () => {
    assert.equal(ceilingFor(plan, 0), 3_080_000);
    assert.equal(ceilingFor(plan, 3 * PRICE), 3_080_000 - 480_000);
  });

  it('ignores a negative amount ahead', () => {
    assert.equal(ceilingFor(plan, -PRICE), 3_080_000);
  });

  it('goes below zero when more waits ahead than the ceiling allows (nothing fits then)', () => {
    assert.equal(ceilingFor(plan, 20 * PRICE), 3_080_000 - 3_200_000);
    assert.ok(ceilingFor(plan, 20 * PRICE) < 0);
  });
});

describe('pacedRecheckAt', () => {
  const STEP_START = Date.UTC(2026, 10, 1, 16, 0, 0);
  const FAR = STEP_START + 24 * HOUR;

  it('is the next 5-minute boundary', () => {
    assert.equal(PACING_STEP_MS, 5 * MINUTE);
    assert.equal(pacedRecheckAt(STEP_START + 3 * MINUTE + 20_000, FAR), STEP_START + 5 * MINUTE);
    assert.equal(pacedRecheckAt(STEP_START + 1, FAR), STEP_START + 5 * MINUTE);
    assert.equal(pacedRecheckAt(STEP_START + 5 * MINUTE - 1, FAR), STEP_START + 5 * MINUTE);
  });

  it('is strictly later when now is on a boundary', () => {
    assert.equal(pacedRecheckAt(STEP_START, FAR), STEP_START + 5 * MINUTE);
    assert.equal(pacedRecheckAt(STEP_START + 5 * MINUTE, FAR), STEP_START + 10 * MINUTE);
  });

  it('is never after expiry + 1 (the moment the reply can be cancelled as expired)', () => {
    const now = STEP_START + MINUTE;
    assert.equal(pacedRecheckAt(now, STEP_START + 2 * MINUTE), STEP_START + 2 * MINUTE + 1);
    // Expiring one millisecond before the boundary: both are the same moment.
    assert.equal(pacedRecheckAt(now, STEP_START + 5 * MINUTE - 1), STEP_START + 5 * MINUTE);
    // Expiring on the boundary: the boundary comes first.
    assert.equal(pacedRecheckAt(now, STEP_START + 5 * MINUTE), STEP_START + 5 * MINUTE);
  });

  it('lines every paced reply up on the same boundaries, within one step, never past expiry + 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * 24 * HOUR }),
        fc.integer({ min: 0, max: 2 * HOUR }),
        (offset, untilExpiry) => {
          const now = STEP_START + offset;
          const expiresAt = now + untilExpiry;
          const at = pacedRecheckAt(now, expiresAt);
          assert.ok(at > now);
          assert.ok(at - now <= PACING_STEP_MS);
          assert.ok(at <= expiresAt + 1);
          assert.ok(at % PACING_STEP_MS === 0 || at === expiresAt + 1);
        },
      ),
    );
  });
});
