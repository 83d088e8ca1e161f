import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LineShield } from '../domain/types.ts';
import { describeShieldReason } from './shield-reason.ts';
import {
  evaluateShield,
  surgeThresholds,
  type SurgeSettings,
  type TrafficSample,
} from './surge.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1, 16);
const settings: SurgeSettings = {
  surgeContactsPerMinute: 20,
  surgeNewCallersPerMinute: 10,
  surgeFactor: 5,
  quietMs: 15 * MIN,
  slowWindowMs: 30 * MIN,
  slowNewcomers: 6,
};
const noHistory = { contactsPerMinute: 0, newCallersPerMinute: 0, hostileNewcomersPerMinute: 0 };
/** A sample: contacts and new callers in the last minute, hostile newcomers in the slow window. */
const at = (contacts: number, newCallers: number, hostileNewcomers = 0): TrafficSample => ({
  contacts,
  newCallers,
  hostileNewcomers,
});
const why = (e: ReturnType<typeof evaluateShield>) =>
  e.transition ? describeShieldReason(e.transition.reason, 'en') : '';
const off: LineShield = { mode: 'auto', active: false, since: null, lastSurgeAt: null };

/** Replays minute samples through the evaluator the way the monitor does, returning shield states. */
function replay(samples: [contacts: number, newCallers: number][], start = off) {
  let shield = start;
  const states: boolean[] = [];
  samples.forEach(([contacts, newCallers], i) => {
    const now = T0 + i * MIN;
    const e = evaluateShield(now, shield, at(contacts, newCallers), noHistory, settings);
    shield = {
      ...shield,
      active: e.active,
      since: e.transition?.to === 'on' ? now : shield.since,
      lastSurgeAt: e.lastSurgeAt,
    };
    states.push(e.active);
  });
  return states;
}

describe('surgeThresholds', () => {
  it('uses the floor for a new line and the baseline times the factor for a busy one', () => {
    assert.deepEqual(surgeThresholds(noHistory, settings), {
      contacts: 20,
      newCallers: 10,
      hostileNewcomers: 6,
    });
    assert.deepEqual(
      surgeThresholds(
        { contactsPerMinute: 7.2, newCallersPerMinute: 1, hostileNewcomersPerMinute: 0.1 },
        settings,
      ),
      // 0.1 a minute is 3 per 30 minutes, times 5.
      { contacts: 36, newCallers: 10, hostileNewcomers: 15 },
    );
  });
});

describe('evaluateShield', () => {
  it('stays off on a quiet line', () => {
    assert.deepEqual(
      replay([
        [2, 1],
        [5, 3],
        [19, 9],
      ]),
      [false, false, false],
    );
  });

  it('switches on at the first surging minute, by contacts or by new numbers', () => {
    const byContacts = evaluateShield(T0, off, at(20, 0), noHistory, settings);
    assert.equal(byContacts.active, true);
    assert.equal(byContacts.transition?.to, 'on');
    assert.match(why(byContacts), /20 contacts in one minute, against 0 usually \(threshold 20\)/);
    const byNew = evaluateShield(T0, off, at(12, 10), noHistory, settings);
    assert.match(why(byNew), /10 numbers never seen before in one minute/);
  });

  it('a line used to heavy traffic needs more to call it a surge', () => {
    const busy = { contactsPerMinute: 10, newCallersPerMinute: 4, hostileNewcomersPerMinute: 0 };
    const e = evaluateShield(T0, off, at(30, 12), busy, settings);
    assert.equal(e.active, false);
    assert.equal(evaluateShield(T0, off, at(50, 0), busy, settings).active, true);
  });

  it('leaves after the quiet period, not before, and half the threshold keeps it on', () => {
    const samples: [number, number][] = [[40, 20]];
    for (let i = 0; i < 10; i++) samples.push([10, 0]); // half the threshold: still a raid
    for (let i = 0; i < 16; i++) samples.push([3, 1]);
    const states = replay(samples);
    assert.equal(states[0], true);
    assert.ok(states.slice(0, 11).every(Boolean), 'stays on while the raid slows down');
    // last surge at minute 10; quiet for 15 minutes → off at minute 25
    assert.equal(states[24], true);
    assert.equal(states[25], false);
  });

  it('a new surge during the quiet period restarts it', () => {
    const samples: [number, number][] = [[40, 20]];
    for (let i = 0; i < 10; i++) samples.push([1, 0]);
    samples.push([25, 0]);
    for (let i = 0; i < 14; i++) samples.push([1, 0]);
    const states = replay(samples);
    assert.equal(states.at(-1), true, 'quiet only 14 minutes since the last surge');
  });

  it('an operator decides in on and off modes, whatever the traffic', () => {
    const forcedOn = evaluateShield(T0, { ...off, mode: 'on' }, at(0, 0), noHistory, settings);
    assert.equal(forcedOn.active, true);
    assert.match(why(forcedOn), /operator/);
    const forcedOff = evaluateShield(
      T0,
      { mode: 'off', active: true, since: T0 - MIN, lastSurgeAt: T0 },
      at(500, 300),
      noHistory,
      settings,
    );
    assert.equal(forcedOff.active, false);
    assert.equal(forcedOff.surge, true, 'the surge is still measured and reported');
    assert.equal(
      evaluateShield(T0, { ...off, mode: 'on', active: true }, at(0, 0), noHistory, settings)
        .transition,
      null,
    );
  });

  it('sees a slow raid: hostile newcomers over the window, against the usual level', () => {
    const e = evaluateShield(T0, off, at(2, 1, 6), noHistory, settings);
    assert.equal(e.active, true);
    assert.deepEqual(e.transition?.reason, {
      detector: 'hostile_newcomers',
      count: 6,
      threshold: 6,
      usual: 0,
      windowMs: 30 * MIN,
    });
    assert.match(why(e), /Slow raid: 6 hostile newcomers in 30 minutes/);
    assert.match(
      describeShieldReason(e.transition.reason, 'fr'),
      /Raid lent : 6 nouveaux appelants hostiles en 30 minutes/,
    );
    // Five angry newcomers in half an hour on a calm line: below the floor.
    assert.equal(evaluateShield(T0, off, at(2, 1, 5), noHistory, settings).active, false);
    // A line that usually gets one hostile newcomer every 10 minutes needs 3 × 5 = 15.
    const rough = {
      contactsPerMinute: 1,
      newCallersPerMinute: 0.5,
      hostileNewcomersPerMinute: 0.1,
    };
    assert.equal(evaluateShield(T0, off, at(2, 1, 14), rough, settings).active, false);
    assert.equal(evaluateShield(T0, off, at(2, 1, 15), rough, settings).active, true);
  });

  it('a slow raid keeps the shield on at half its threshold, and its end is explained', () => {
    const on: LineShield = { mode: 'auto', active: true, since: T0, lastSurgeAt: T0 };
    const still = evaluateShield(T0 + 20 * MIN, on, at(1, 0, 3), noHistory, settings);
    assert.equal(still.surge, true);
    assert.equal(still.active, true);
    const quiet = { ...on, lastSurgeAt: T0 + 20 * MIN };
    const end = evaluateShield(T0 + 35 * MIN, quiet, at(1, 0, 2), noHistory, settings);
    assert.equal(end.active, false);
    assert.equal(end.transition?.reason.detector, 'quiet');
    assert.match(
      why(end),
      /Quiet for 15 minutes: 1 contact in the last minute \(threshold 10\), 2 hostile newcomers in 30 minutes \(threshold 3\)/,
    );
  });
});
