import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assessHostility,
  isCuriousTest,
  maxWithin,
  regimeOf,
  type HostilityInput,
  type PastContact,
} from './hostility.ts';

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
    shieldDuringDelay: false,
    ...extra,
  };
}
/** The same history judged while the shield is on (a raid). */
const raid = (contacts: PastContact[], extra: Partial<HostilityInput> = {}) =>
  input(contacts, { shieldActive: true, shieldDuringDelay: true, ...extra });
const call = (minutes: number): PastContact => ({ at: T0 + minutes * MIN, labels: [] });
const text = (minutes: number, ...labels: string[]): PastContact => ({
  at: T0 + minutes * MIN,
  labels,
});

describe('regimeOf', () => {
  it('is calm unless the shield was on at some moment of the delay', () => {
    assert.equal(regimeOf(input([])), 'calm');
    assert.equal(regimeOf(input([], { shieldActive: true })), 'pressure');
    assert.equal(regimeOf(input([], { arrivedDuringShield: true })), 'pressure');
    // A raid that began and ended during the delay.
    assert.equal(regimeOf(input([], { shieldDuringDelay: true })), 'pressure');
  });
});

describe('assessHostility on a calm line', () => {
  it('a man who called once and quietly scores nothing', () => {
    const v = assessHostility(input([call(0)]), settings);
    assert.equal(v.hostile, false);
    assert.equal(v.score, 0);
    assert.deepEqual(v.signals, {
      repeats: 0,
      burst: 1,
      labels: {},
      rangeCallers: 1,
      arrivedDuringShield: false,
      regime: 'calm',
    });
  });

  it('an angry man who swears, threatens and keeps calling is never withheld his reply', () => {
    const angry = [
      text(0, 'insult'),
      call(0.2),
      call(0.4),
      call(0.6),
      call(0.8),
      text(5, 'insult', 'threat'),
      text(20, 'sexual'),
      call(40),
    ];
    const v = assessHostility(input(angry), settings);
    assert.equal(v.hostile, false);
    assert.equal(v.regime, 'calm');
    assert.ok(v.score >= 300, 'the score still orders replies');
    assert.match(v.why.join('; '), /classified insult/);
  });

  it('scores add up so the least hostile can be served first', () => {
    const a = assessHostility(input([call(0)]), settings).score;
    const b = assessHostility(input([call(0), call(30)]), settings).score;
    const c = assessHostility(input([text(0, 'insult'), text(1, 'threat')]), settings).score;
    assert.ok(a < b && b < c);
  });
});

describe('assessHostility under pressure', () => {
  for (const label of ['insult', 'threat', 'sexual', 'spam']) {
    it(`one text classified ${label} withholds the reply`, () => {
      const v = assessHostility(raid([text(0, label)]), settings);
      assert.equal(v.hostile, true);
      assert.equal(v.regime, 'pressure');
      assert.deepEqual(v.why, [`1 text classified ${label}`]);
      assert.equal(v.signals.labels[label], 1);
    });
  }

  it('bare laughter withholds the reply under pressure, never on a calm line', () => {
    const v = assessHostility(raid([text(0, 'mockery')]), settings);
    assert.equal(v.hostile, true);
    assert.deepEqual(v.why, ['1 text of bare laughter']);
    assert.equal(assessHostility(input([text(0, 'mockery')]), settings).hostile, false);
  });

  it('a text classified test is not hostility (it has its own rule)', () => {
    assert.equal(assessHostility(raid([text(0, 'test')]), settings).hostile, false);
  });

  it('coming back as often as the repeat limit is hostile; once is not', () => {
    const v = assessHostility(raid([call(0), call(10), call(20), call(30)]), settings);
    assert.equal(v.hostile, true);
    assert.match(v.why[0]!, /came back 3 times/);
    assert.equal(
      assessHostility(raid([call(0), call(10), call(20), call(30)]), { repeatLimit: 4 }).hostile,
      false,
    );
    assert.equal(assessHostility(raid([call(0), call(30)]), settings).hostile, false);
  });

  it("a bot's rhythm is hostile; a man redialling a few times in a minute is not a bot", () => {
    const bot = [0, 0.1, 0.25, 0.4, 0.55].map((m) => call(m));
    const v = assessHostility(raid(bot, { scheduledAt: T0 + 100 * MIN }), settings);
    assert.equal(v.signals.burst, 5);
    assert.equal(v.hostile, true);
    assert.match(v.why.join(), /5 contacts within one minute/);
    const redial = [0, 0.3, 0.6].map((m) => call(m));
    const man = assessHostility(raid(redial, { scheduledAt: T0 + 100 * MIN }), settings);
    assert.equal(man.signals.burst, 3);
    assert.equal(man.hostile, false);
  });

  it('a hammered number range tips the balance only under pressure', () => {
    const contacts = [call(0)];
    assert.equal(assessHostility(input(contacts, { rangeCallers: 8 }), settings).hostile, false);
    const shielded = assessHostility(raid(contacts, { rangeCallers: 8 }), settings);
    assert.equal(shielded.hostile, true);
    assert.match(shielded.why.join(), /8 callers from the same number range/);
  });

  it('arriving during a raid puts a quiet caller behind earlier ones, without making him hostile', () => {
    const before = assessHostility(raid([call(0)]), settings);
    const during = assessHostility(raid([call(0)], { arrivedDuringShield: true }), settings);
    assert.equal(during.hostile, false);
    assert.ok(during.score > before.score);
    assert.equal(during.signals.arrivedDuringShield, true);
  });

  it('a reply scheduled during a raid is judged strictly even when the shield is off again', () => {
    const after = assessHostility(
      input([text(0, 'insult')], { arrivedDuringShield: true }),
      settings,
    );
    assert.equal(after.hostile, true);
    const overlapped = assessHostility(
      input([text(0, 'insult')], { shieldDuringDelay: true }),
      settings,
    );
    assert.equal(overlapped.hostile, true, 'a raid that came and went during the delay');
    assert.equal(assessHostility(input([text(0, 'insult')]), settings).hostile, false);
  });
});

describe('isCuriousTest', () => {
  it('is a tester only when every contact was a test text', () => {
    assert.equal(isCuriousTest([text(0, 'test')]), true);
    assert.equal(isCuriousTest([text(0, 'test'), text(3, 'test', 'insult')]), true);
    assert.equal(isCuriousTest([text(0, 'test'), call(5)]), false, 'he called: not a tester');
    assert.equal(isCuriousTest([text(0, 'test'), text(5)]), false, 'then wrote something else');
    assert.equal(isCuriousTest([text(0, 'test'), text(5, 'insult')]), false);
    assert.equal(isCuriousTest([call(0), text(5, 'test')]), false);
    assert.equal(isCuriousTest([]), false);
  });
});

describe('maxWithin', () => {
  it('counts the densest window whatever the order', () => {
    assert.equal(maxWithin([], 1000), 0);
    assert.equal(maxWithin([5000, 0, 999, 500], 1000), 3);
    assert.equal(maxWithin([0, 1000, 2000], 1000), 1);
  });
});
