import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationInput, durationWords, parseTypedDuration } from '../../dashboard/src/units.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('durations as operators type them on the Lines page', () => {
  it('reads a number with its unit, in French or English words', () => {
    const cases: [string, number][] = [
      ['20s', 20 * S],
      ['20 s', 20 * S],
      ['15m', 15 * M],
      ['15 min', 15 * M],
      ['15 minutes', 15 * M],
      ['1h', H],
      ['1 heure', H],
      ['2 hours', 2 * H],
      ['1h30', 90 * M],
      ['1h30m', 90 * M],
      ['90j', 90 * D],
      ['90 jours', 90 * D],
      ['90d', 90 * D],
      ['2 days', 2 * D],
      ['1,5h', 90 * M],
      ['2 semaines', 14 * D],
    ];
    for (const [typed, ms] of cases) assert.equal(parseTypedDuration(typed), ms, typed);
  });

  it('refuses a bare number, which could mean seconds, minutes or days, and words it does not know', () => {
    for (const typed of ['60', '0,33', '', 'une heure', '1 fortnight', 'h1'])
      assert.equal(parseTypedDuration(typed), null, typed);
  });

  it('shows a stored duration with its unit, "j" for days in French, and reads it back', () => {
    assert.equal(durationInput(20 * M, 'fr'), '20m');
    assert.equal(durationInput(20 * S, 'en'), '20s');
    assert.equal(durationInput(90 * D, 'fr'), '90j');
    assert.equal(durationInput(90 * D, 'en'), '90d');
    assert.equal(durationInput(90 * M, 'fr'), '1h30m');
    for (const ms of [20 * S, 20 * M, 90 * M, 90 * D, 3 * H])
      for (const lang of ['fr', 'en'])
        assert.equal(parseTypedDuration(durationInput(ms, lang)), ms, `${ms} in ${lang}`);
  });
});

describe('how long a paused line keeps its replies, in words', () => {
  it("says hours up to two days, then days, in the reader's language", () => {
    assert.equal(durationWords(24 * H, 'fr'), '24 h');
    assert.equal(durationWords(24 * H, 'en'), '24 hours');
    assert.equal(durationWords(36 * H, 'fr'), '36 h');
    assert.equal(durationWords(3 * D, 'fr'), '3 jours');
    assert.equal(durationWords(3 * D, 'en'), '3 days');
    assert.equal(durationWords(50 * H, 'en'), '50 hours');
  });
});
