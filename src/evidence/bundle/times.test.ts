import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compactUtc, isoLocal, isoUtc, wallClock } from './times.ts';

describe('times', () => {
  const winter = Date.UTC(2026, 10, 1, 16, 0);
  const summer = Date.UTC(2026, 6, 14, 20, 30, 5, 7);

  it('writes UTC with milliseconds and Z', () => {
    assert.equal(isoUtc(winter), '2026-11-01T16:00:00.000Z');
  });

  it('writes Paris time with its winter and summer offsets', () => {
    assert.equal(isoLocal(winter, 'Europe/Paris'), '2026-11-01T17:00:00.000+01:00');
    assert.equal(isoLocal(summer, 'Europe/Paris'), '2026-07-14T22:30:05.007+02:00');
  });

  it('handles negative, half-hour and zero offsets, and a change of date', () => {
    assert.equal(isoLocal(winter, 'America/New_York'), '2026-11-01T11:00:00.000-05:00');
    assert.equal(isoLocal(winter, 'Asia/Kolkata'), '2026-11-01T21:30:00.000+05:30');
    assert.equal(isoLocal(winter, 'UTC'), '2026-11-01T16:00:00.000+00:00');
    assert.equal(isoLocal(summer, 'Pacific/Auckland'), '2026-07-15T08:30:05.007+12:00');
  });

  it('gives both readings of the hour repeated when summer time ends', () => {
    // 25 October 2026, Paris: 02:30 happens twice, first at +02:00 then at +01:00.
    assert.equal(
      isoLocal(Date.UTC(2026, 9, 25, 0, 30), 'Europe/Paris'),
      '2026-10-25T02:30:00.000+02:00',
    );
    assert.equal(
      isoLocal(Date.UTC(2026, 9, 25, 1, 30), 'Europe/Paris'),
      '2026-10-25T02:30:00.000+01:00',
    );
  });

  it('reads the wall clock at midnight as hour 0', () => {
    assert.equal(wallClock(Date.UTC(2026, 10, 1, 23, 0), 'Europe/Paris').hour, 0);
  });

  it('writes compact UTC stamps for file names', () => {
    assert.equal(compactUtc(winter), '20261101T1600Z');
    assert.equal(compactUtc(summer), '20260714T2030Z');
  });
});
