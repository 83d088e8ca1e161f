import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from './duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['90s', 90 * S],
    ['15m', 15 * M],
    ['1h', H],
    ['1h30m', H + 30 * M],
    ['1h 30m', H + 30 * M],
    ['90d', 90 * D],
    ['2w', 14 * D],
    ['250ms', 250],
    ['1.5h', H + 30 * M],
    ['1H', H],
    ['  2m ', 2 * M],
    ['1 h', H],
    ['0s', 0],
    ['0', 0],
  ];
  for (const [text, ms] of valid) {
    it(`reads ${JSON.stringify(text)} as ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  // A bare number is the REPLY_DELAY=3600 trap: it must never be read as milliseconds.
  const invalid = [
    '3600',
    '60',
    '00',
    '',
    '   ',
    'abc',
    'h',
    '1h30',
    '1m30',
    '1.5.5h',
    '-1h',
    '.5h',
    '1e3s',
    '10mss',
    '1 hour',
    '1h,30m',
    '1y',
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.equal(parseDuration(text), null);
    });
  }

  it('gives the same answer on repeated calls (no state left in the sticky regex)', () => {
    assert.equal(parseDuration('1h'), H);
    assert.equal(parseDuration('junk 1h'), null);
    assert.equal(parseDuration('1h'), H);
  });
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [1, '1ms'],
    [999, '999ms'],
    [S, '1s'],
    [90 * S, '1m30s'],
    [H + 30 * M, '1h30m'],
    [D, '1d'],
    [90 * D, '90d'],
    [D + H + M + S + 1, '1d1h1m1s1ms'],
    [H + 1, '1h1ms'],
  ];
  for (const [ms, text] of cases) {
    it(`writes ${ms} ms as ${text}`, () => {
      assert.equal(formatDuration(ms), text);
    });
  }

  it('round-trips through parseDuration', () => {
    for (const ms of [0, 250, 90 * S, H + 30 * M, 90 * D, D + H + M + S + 1]) {
      assert.equal(parseDuration(formatDuration(ms)), ms);
    }
  });
});
