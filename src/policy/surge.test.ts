import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LineShield } from '../domain/types.ts';
import { evaluateShield, surgeThresholds, type SurgeSettings } from './surge.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1, 16);
const settings: SurgeSettings = {
  surgeContactsPerMinute: 20,
  surgeNewCallersPerMinute: 10,
  surgeFactor: 5,
  quietMs: 15 * MIN,
};
const noHistory = { contactsPerMinute: 0, newCallersPerMinute: 0 };
const off: LineShield = { mode: 'auto', active: false, since: null, lastSurgeAt: null };

/** Replays minute samples through the evaluator the way the monitor does, returning shield states. */
function replay(samples: [contacts: number, newCallers: number][], start = off) {
  let shield = start;
  const states: boolean[] = [];
  samples.forEach(([contacts, newCallers], i) => {
    const now = T0 + i * MIN;
    const e = evaluateShield(now, shield, { contacts, newCallers }, noHistory, settings);
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
    assert.deepEqual(surgeThresholds(noHistory, settings), { contacts: 20, newCallers: 10 });
    assert.deepEqual(
      surgeThresholds({ contactsPerMinute: 7.2, newCallersPerMinute: 1 }, settings),
      { contacts: 36, newCallers: 10 },
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
    const byContacts = evaluateShield(
      T0,
      off,
      { contacts: 20, newCallers: 0 },
      noHistory,
      settings,
    );
    assert.equal(byContacts.active, true);
    assert.equal(byContacts.transition?.to, 'on');
    assert.match(byContacts.transition.why, /20 contacts in one minute \(threshold 20\)/);
    const byNew = evaluateShield(T0, off, { contacts: 12, newCallers: 10 }, noHistory, settings);
    assert.match(byNew.transition!.why, /10 new numbers/);
  });

  it('a line used to heavy traffic needs more to call it a surge', () => {
    const busy = { contactsPerMinute: 10, newCallersPerMinute: 4 };
    const e = evaluateShield(T0, off, { contacts: 30, newCallers: 12 }, busy, settings);
    assert.equal(e.active, false);
    assert.equal(
      evaluateShield(T0, off, { contacts: 50, newCallers: 0 }, busy, settings).active,
      true,
    );
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
    const forcedOn = evaluateShield(
      T0,
      { ...off, mode: 'on' },
      { contacts: 0, newCallers: 0 },
      noHistory,
      settings,
    );
    assert.equal(forcedOn.active, true);
    assert.match(forcedOn.transition!.why, /operator/);
    const forcedOff = evaluateShield(
      T0,
      { mode: 'off', active: true, since: T0 - MIN, lastSurgeAt: T0 },
      { contacts: 500, newCallers: 300 },
      noHistory,
      settings,
    );
    assert.equal(forcedOff.active, false);
    assert.equal(forcedOff.surge, true, 'the surge is still measured and reported');
    assert.equal(
      evaluateShield(
        T0,
        { ...off, mode: 'on', active: true },
        { contacts: 0, newCallers: 0 },
        noHistory,
        settings,
      ).transition,
      null,
    );
  });
});
