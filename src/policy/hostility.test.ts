import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessHostility, maxWithin, type HostilityInput, type PastContact } from './hostility.ts';

const T0 = Date.UTC(2026, 10, 1, 16);
const MIN = 60_000;
const settings = { repeatLimit: 3 };

function input(contacts: PastContact[], extra: Partial<HostilityInput> = {}): HostilityInput {
  return {
    now: T0 + 60 * MIN,
    scheduledAt: T0,
    contacts,
    rangeCallers: 1,
    arrivedDuringShield: false,
    shieldActive: false,
    ...extra,
  };
}
const call = (minutes: number): PastContact => ({ at: T0 + minutes * MIN, labels: [] });
const text = (minutes: number, ...labels: string[]): PastContact => ({
  at: T0 + minutes * MIN,
  labels,
});

describe('assessHostility', () => {
  it('a man who called once and quietly is not hostile', () => {
    const v = assessHostility(input([call(0)]), settings);
    assert.equal(v.hostile, false);
    assert.equal(v.score, 0);
    assert.deepEqual(v.signals, {
      repeats: 0,
      burst: 1,
      labels: {},
      rangeCallers: 1,
      arrivedDuringShield: false,
    });
  });

  it('coming back once or twice only lowers the place in line', () => {
    const v = assessHostility(input([call(0), text(20), call(50)]), settings);
    assert.equal(v.hostile, false);
    assert.equal(v.score, 20);
    assert.equal(v.signals.repeats, 2);
  });

  it('coming back as often as the repeat limit is hostile', () => {
    const v = assessHostility(input([call(0), call(10), call(20), call(30)]), settings);
    assert.equal(v.hostile, true);
    assert.match(v.why[0]!, /came back 3 times/);
    assert.equal(
      assessHostility(input([call(0), call(10), call(20), call(30)]), { repeatLimit: 4 }).hostile,
      false,
    );
  });

  for (const label of ['insult', 'threat', 'sexual', 'spam']) {
    it(`one text classified ${label} is hostile`, () => {
      const v = assessHostility(input([text(0, label)]), settings);
      assert.equal(v.hostile, true);
      assert.deepEqual(v.why, [`1 text classified ${label}`]);
      assert.equal(v.signals.labels[label], 1);
    });
  }

  it('a text classified test is not hostility (it has its own rule)', () => {
    assert.equal(assessHostility(input([text(0, 'test')]), settings).hostile, false);
  });

  it('three contacts within a minute look like a bot', () => {
    const burst = [0, 0.2, 0.5].map((m) => call(m));
    const v = assessHostility(input(burst, { scheduledAt: T0 + 100 * MIN }), settings);
    assert.equal(v.signals.burst, 3);
    assert.equal(v.hostile, true);
    const spread = [0, 1.1, 2.2].map((m) => call(m));
    assert.equal(
      assessHostility(input(spread, { scheduledAt: T0 + 100 * MIN }), settings).signals.burst,
      1,
    );
  });

  it('a hammered number range tips the balance only while the shield is on', () => {
    const contacts = [call(0)];
    assert.equal(assessHostility(input(contacts, { rangeCallers: 8 }), settings).hostile, false);
    const shielded = assessHostility(
      input(contacts, { rangeCallers: 8, shieldActive: true }),
      settings,
    );
    assert.equal(shielded.hostile, true);
    assert.match(shielded.why.join(), /8 callers from the same number range/);
  });

  it('the shield halves the threshold but one repeat alone stays below it', () => {
    const v = assessHostility(input([call(0), call(30)], { shieldActive: true }), settings);
    assert.equal(v.hostile, false);
  });

  it('scores add up so the least hostile can be served first', () => {
    const a = assessHostility(input([call(0)]), settings).score;
    const b = assessHostility(input([call(0), call(30)]), settings).score;
    const c = assessHostility(input([text(0, 'insult'), text(1, 'threat')]), settings).score;
    assert.ok(a < b && b < c);
  });
});

describe('arriving during a raid', () => {
  it('puts a quiet caller behind those who came before it, without making him hostile', () => {
    const before = assessHostility(input([call(0)]), settings);
    const during = assessHostility(
      input([call(0)], { arrivedDuringShield: true, shieldActive: true }),
      settings,
    );
    assert.equal(during.hostile, false);
    assert.ok(during.score > before.score);
    assert.equal(during.signals.arrivedDuringShield, true);
  });
});

describe('a reply scheduled during a raid', () => {
  it('is judged strictly even when the shield is off by the time it falls due', () => {
    const contacts = [call(0)];
    const after = assessHostility(
      input(contacts, { rangeCallers: 13, arrivedDuringShield: true }),
      settings,
    );
    assert.equal(after.hostile, true);
    const outside = assessHostility(input(contacts, { rangeCallers: 13 }), settings);
    assert.equal(outside.hostile, false);
  });
});

describe('maxWithin', () => {
  it('counts the densest window whatever the order', () => {
    assert.equal(maxWithin([], 1000), 0);
    assert.equal(maxWithin([5000, 0, 999, 500], 1000), 3);
    assert.equal(maxWithin([0, 1000, 2000], 1000), 1);
  });
});
