import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertTimeZone, budgetPeriods } from './budget-periods.ts';

const PARIS = 'Europe/Paris';
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('budgetPeriods in Europe/Paris', () => {
  const cases: [now: string, day: string, month: string, nextDay: string, nextMonth: string][] = [
    // Winter time (UTC+1).
    [
      '2026-11-01T16:00:00Z',
      '2026-11-01',
      '2026-11',
      '2026-11-01T23:00:00Z',
      '2026-11-30T23:00:00Z',
    ],
    // Already 1 November in Paris while still 31 October in UTC.
    [
      '2026-10-31T23:30:00Z',
      '2026-11-01',
      '2026-11',
      '2026-11-01T23:00:00Z',
      '2026-11-30T23:00:00Z',
    ],
    // Summer time (UTC+2).
    [
      '2026-07-14T21:59:59.999Z',
      '2026-07-14',
      '2026-07',
      '2026-07-14T22:00:00Z',
      '2026-07-31T22:00:00Z',
    ],
    [
      '2026-07-14T22:00:00Z',
      '2026-07-15',
      '2026-07',
      '2026-07-15T22:00:00Z',
      '2026-07-31T22:00:00Z',
    ],
    // December → January.
    [
      '2026-12-31T22:59:59.999Z',
      '2026-12-31',
      '2026-12',
      '2026-12-31T23:00:00Z',
      '2026-12-31T23:00:00Z',
    ],
    [
      '2026-12-31T23:00:00Z',
      '2027-01-01',
      '2027-01',
      '2027-01-01T23:00:00Z',
      '2027-01-31T23:00:00Z',
    ],
    // End of February in a non-leap and a leap year.
    [
      '2026-02-28T12:00:00Z',
      '2026-02-28',
      '2026-02',
      '2026-02-28T23:00:00Z',
      '2026-02-28T23:00:00Z',
    ],
    [
      '2028-02-28T12:00:00Z',
      '2028-02-28',
      '2028-02',
      '2028-02-28T23:00:00Z',
      '2028-02-29T23:00:00Z',
    ],
  ];
  for (const [now, day, month, nextDay, nextMonth] of cases) {
    it(`at ${now}: ${day}, next day at ${nextDay}`, () => {
      const { dayStart, ...periods } = budgetPeriods(at(now), PARIS);
      assert.deepEqual(periods, {
        day,
        month,
        nextDayStart: at(nextDay),
        nextMonthStart: at(nextMonth),
      });
      // The day starts at the first second whose local date is that day.
      assert.equal(budgetPeriods(dayStart, PARIS).day, day);
      assert.notEqual(budgetPeriods(dayStart - 1000, PARIS).day, day);
    });
  }

  describe('autumn change, 25 October 2026: a 25-hour day', () => {
    const start = at('2026-10-24T22:00:00Z'); // 00:00 CEST
    const end = at('2026-10-25T23:00:00Z'); // 00:00 CET

    it('the day before ends at local midnight (CEST)', () => {
      assert.equal(budgetPeriods(at('2026-10-24T12:00:00Z'), PARIS).nextDayStart, start);
    });

    for (const now of [
      '2026-10-24T22:00:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-25T01:30:00Z',
      '2026-10-25T22:59:59.999Z',
    ]) {
      it(`${now} belongs to 2026-10-25, which ends at 23:00Z`, () => {
        const p = budgetPeriods(at(now), PARIS);
        assert.equal(p.day, '2026-10-25');
        assert.equal(p.nextDayStart, end);
      });
    }

    it('lasts 25 hours', () => {
      assert.equal(end - start, 25 * HOUR);
    });

    it('the next day starts exactly at its midnight', () => {
      assert.equal(budgetPeriods(end, PARIS).day, '2026-10-26');
      assert.equal(budgetPeriods(end - 1, PARIS).day, '2026-10-25');
    });
  });

  describe('spring change, 29 March 2026: a 23-hour day', () => {
    const start = at('2026-03-28T23:00:00Z'); // 00:00 CET
    const end = at('2026-03-29T22:00:00Z'); // 00:00 CEST

    it('the day before ends at local midnight (CET)', () => {
      assert.equal(budgetPeriods(at('2026-03-28T12:00:00Z'), PARIS).nextDayStart, start);
    });

    it('the day itself ends at 22:00Z and lasts 23 hours', () => {
      const p = budgetPeriods(at('2026-03-29T12:00:00Z'), PARIS);
      assert.equal(p.day, '2026-03-29');
      assert.equal(p.nextDayStart, end);
      assert.equal(end - start, 23 * HOUR);
    });

    it('the month ends at local midnight in summer time', () => {
      assert.equal(budgetPeriods(start, PARIS).nextMonthStart, at('2026-03-31T22:00:00Z'));
    });
  });

  it('always puts the next day start after now, and in the next day', () => {
    for (
      let now = at('2026-01-01T00:00:00Z');
      now < at('2027-01-01T00:00:00Z');
      now += 7 * HOUR + 13 * 60_000
    ) {
      const p = budgetPeriods(now, PARIS);
      assert.ok(p.nextDayStart > now, new Date(now).toISOString());
      assert.notEqual(budgetPeriods(p.nextDayStart, PARIS).day, p.day);
      assert.equal(budgetPeriods(p.nextDayStart - 1, PARIS).day, p.day);
    }
  });
});

describe('budgetPeriods in other zones', () => {
  it('UTC days start at 00:00Z', () => {
    assert.deepEqual(budgetPeriods(at('2026-06-15T12:00:00Z'), 'UTC'), {
      day: '2026-06-15',
      month: '2026-06',
      dayStart: at('2026-06-15T00:00:00Z'),
      nextDayStart: at('2026-06-16T00:00:00Z'),
      nextMonthStart: at('2026-07-01T00:00:00Z'),
    });
  });

  // In Chile, summer time starts at midnight: 2026-09-06 00:00 (UTC-4) becomes 01:00 (UTC-3), so that
  // day starts at 04:00Z. nextDayStart comes out as 03:00Z, still 2026-09-05 locally; a reply held for
  // the daily cap is then re-examined in a loop for an hour, each time with a retry time in the past.
  it('starts a day at its first instant when midnight does not exist (America/Santiago)', () => {
    const p = budgetPeriods(at('2026-09-05T12:00:00Z'), 'America/Santiago');
    assert.equal(p.nextDayStart, at('2026-09-06T04:00:00Z'));
    assert.equal(budgetPeriods(p.nextDayStart, 'America/Santiago').day, '2026-09-06');
  });
});

describe('assertTimeZone', () => {
  it('accepts IANA names', () => {
    assert.doesNotThrow(() => assertTimeZone('Europe/Paris'));
    assert.doesNotThrow(() => assertTimeZone('UTC'));
  });
  it('throws a RangeError for unknown zones', () => {
    assert.throws(() => assertTimeZone('Mars/Olympus'), RangeError);
  });
});
