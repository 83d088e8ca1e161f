import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyNumber } from '../domain/phone.ts';
import { budgetRetryAt, decideReply, retryDelay, type DecisionInput } from './decide.ts';
import type { HostilityVerdict } from './hostility.ts';

const NOW = Date.UTC(2026, 10, 1, 17, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const calm: HostilityVerdict = {
  score: 0,
  hostile: false,
  regime: 'calm',
  signals: {
    repeats: 0,
    burst: 1,
    labels: {},
    rangeCallers: 1,
    arrivedDuringShield: false,
    regime: 'calm',
  },
  why: [],
};
const SEND = { action: 'send', priority: 0 };

/** A reply that should be sent; each test changes what it is about. */
function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
  return {
    now: NOW,
    reply: { dueAt: NOW - HOUR, expiresAt: NOW + 23 * HOUR },
    line: { paused: false, allowedCountries: ['FR'] },
    destination: classifyNumber('+33612345678'),
    acceptsFictionNumbers: false,
    blockedBy: null,
    optedOut: false,
    allowed: false,
    alreadyRepliedWithinCooldown: false,
    keywordRule: null,
    testMessage: false,
    hostility: calm,
    ...overrides,
  };
}

describe('decideReply', () => {
  it('sends a due reply to a French mobile', () => {
    assert.deepEqual(decideReply(input()), SEND);
  });

  it('holds while the line is paused, until the reply expires (resuming makes it due)', () => {
    const decision = decideReply(input({ line: { paused: true, allowedCountries: ['FR'] } }));
    assert.deepEqual(decision, { action: 'hold', reason: 'paused', until: NOW + 23 * HOUR + 1 });
  });

  it('cancels an expired reply even while the line is paused', () => {
    const decision = decideReply(
      input({
        line: { paused: true, allowedCountries: ['FR'] },
        reply: { dueAt: NOW - 25 * HOUR, expiresAt: NOW - 1 },
      }),
    );
    assert.equal(decision.action === 'cancel' && decision.reason, 'expired');
  });

  it('cancels an expired reply', () => {
    const decision = decideReply(input({ reply: { dueAt: NOW - 25 * HOUR, expiresAt: NOW - 1 } }));
    assert.equal(decision.action, 'cancel');
    assert.equal(decision.action === 'cancel' && decision.reason, 'expired');
  });

  it('still sends at the very instant of expiry', () => {
    assert.deepEqual(decideReply(input({ reply: { dueAt: NOW - HOUR, expiresAt: NOW } })), {
      ...SEND,
    });
  });

  it('cancels when the caller is blocked', () => {
    assert.deepEqual(decideReply(input({ blockedBy: 'number on the blocklist' })), {
      action: 'cancel',
      reason: 'blocked',
      detail: 'blocked: number on the blocklist',
    });
  });

  it('never texts a number that sent STOP, even allowlisted', () => {
    const d = decideReply(input({ optedOut: true, allowed: true }));
    assert.equal(d.action === 'cancel' && d.reason, 'opted_out');
  });

  const hostile: HostilityVerdict = {
    score: 200,
    hostile: true,
    regime: 'pressure',
    signals: {
      repeats: 4,
      burst: 1,
      labels: { insult: 2 },
      rangeCallers: 1,
      arrivedDuringShield: false,
      regime: 'pressure',
    },
    why: ['2 texts classified insult', 'came back 4 times before the reply was sent'],
  };

  it('cancels a hostile caller with the signals that decided it', () => {
    assert.deepEqual(decideReply(input({ hostility: hostile })), {
      action: 'cancel',
      reason: 'hostile',
      detail:
        'hostile during a raid (shield on): 2 texts classified insult; came back 4 times before the reply was sent',
    });
  });

  it('sends with the hostility score as priority when not hostile', () => {
    const d = decideReply(input({ hostility: { ...calm, score: 20 } }));
    assert.deepEqual(d, { action: 'send', priority: 20 });
  });

  it('cancels a curious test message and a keyword rule match', () => {
    const t = decideReply(input({ testMessage: true }));
    assert.equal(t.action === 'cancel' && t.reason, 'test_message');
    const k = decideReply(input({ keywordRule: { id: 7, keyword: 'promo' } }));
    assert.deepEqual(k, {
      action: 'cancel',
      reason: 'keyword_rule',
      detail: 'a text matched keyword rule #7 "promo"',
    });
  });

  it('an allowlisted caller skips content and behaviour rules, first in line', () => {
    const d = decideReply(
      input({
        allowed: true,
        hostility: hostile,
        testMessage: true,
        keywordRule: { id: 1, keyword: 'x' },
      }),
    );
    assert.deepEqual(d, { action: 'send', priority: -1 });
  });

  it('an allowlisted caller still needs an allowed destination and no earlier reply', () => {
    const dest = decideReply(input({ allowed: true, destination: classifyNumber('+33899123456') }));
    assert.equal(dest.action === 'cancel' && dest.reason, 'destination_not_allowed');
    const cd = decideReply(input({ allowed: true, alreadyRepliedWithinCooldown: true }));
    assert.equal(cd.action === 'cancel' && cd.reason, 'cooldown');
  });

  const refused: [raw: string, why: string][] = [
    ['+33142345678', 'number type fixed_line'],
    ['+33899123456', 'number type premium_rate'],
    ['+33810123456', 'number type shared_cost'],
    ['+33800123456', 'number type toll_free'],
    ['+33939123456', 'number type voip'],
    ['+33199001234', 'number type fixed_line'],
    ['+32470123456', 'country BE not allowed'],
    ['Anonymous', 'caller id withheld'],
    ['+266696687', 'caller id withheld'],
    ['garbage', 'not a valid phone number'],
    ['+33639980012', 'fiction number (ARCEP reserved range)'],
  ];
  for (const [raw, why] of refused) {
    it(`cancels a reply to ${raw}: ${why}`, () => {
      assert.deepEqual(decideReply(input({ destination: classifyNumber(raw) })), {
        action: 'cancel',
        reason: 'destination_not_allowed',
        detail: why,
      });
    });
  }

  it('sends to a fiction number when the provider accepts them', () => {
    assert.deepEqual(
      decideReply(
        input({ destination: classifyNumber('+33639980012'), acceptsFictionNumbers: true }),
      ),
      SEND,
    );
  });

  it('sends to a Belgian mobile when BE is allowed', () => {
    const decision = decideReply(
      input({
        destination: classifyNumber('+32470123456'),
        line: { paused: false, allowedCountries: ['FR', 'BE'] },
      }),
    );
    assert.deepEqual(decision, SEND);
  });

  it('cancels when the caller already got a reply within the cooldown', () => {
    assert.deepEqual(decideReply(input({ alreadyRepliedWithinCooldown: true })), {
      action: 'cancel',
      reason: 'cooldown',
      detail: 'this caller already got a reply on this line',
    });
  });

  describe('precedence: expired > paused > opted out > blocked > destination > cooldown > keyword > test > hostile', () => {
    const everythingWrong = input({
      line: { paused: true, allowedCountries: ['FR'] },
      reply: { dueAt: NOW - 25 * HOUR, expiresAt: NOW - 1 },
      optedOut: true,
      blockedBy: 'number on the blocklist',
      destination: classifyNumber('+33899123456'),
      alreadyRepliedWithinCooldown: true,
      keywordRule: { id: 1, keyword: 'test' },
      testMessage: true,
      hostility: { ...calm, hostile: true, why: ['x'] },
    });
    const steps: [fix: Partial<DecisionInput>, expected: string][] = [
      [{}, 'expired'],
      [{ reply: { dueAt: NOW - HOUR, expiresAt: NOW + HOUR } }, 'paused'],
      [{ line: { paused: false, allowedCountries: ['FR'] } }, 'opted_out'],
      [{ optedOut: false }, 'blocked'],
      [{ blockedBy: null }, 'destination_not_allowed'],
      [{ destination: classifyNumber('+33612345678') }, 'cooldown'],
      [{ alreadyRepliedWithinCooldown: false }, 'keyword_rule'],
      [{ keywordRule: null }, 'test_message'],
      [{ testMessage: false }, 'hostile'],
      [{ hostility: calm }, 'send'],
    ];
    let current = everythingWrong;
    for (const [fix, expected] of steps) {
      const snapshot = (current = { ...current, ...fix });
      it(`gives ${expected} once the earlier reasons are fixed`, () => {
        const decision = decideReply(snapshot);
        assert.equal(decision.action === 'send' ? 'send' : decision.reason, expected);
      });
    }
  });
});

describe('retryDelay', () => {
  const cases: [attempt: number, ms: number][] = [
    [0, 30_000],
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [4, 240_000],
    [6, 960_000],
    [7, 30 * MINUTE],
    [8, 30 * MINUTE],
    [50, 30 * MINUTE],
    [5000, 30 * MINUTE],
  ];
  for (const [attempt, ms] of cases) {
    it(`attempt ${attempt} waits ${ms} ms`, () => {
      assert.equal(retryDelay(attempt), ms);
    });
  }

  it('never decreases from one attempt to the next', () => {
    for (let attempt = 1; attempt < 40; attempt++)
      assert.ok(retryDelay(attempt + 1) >= retryDelay(attempt));
  });
});

describe('budgetRetryAt', () => {
  const periods = { nextDayStart: NOW + 7 * HOUR, nextMonthStart: NOW + 29 * 24 * HOUR };

  it('looks again when the exhausted period ends', () => {
    assert.equal(budgetRetryAt(NOW, 'day', periods, 24 * HOUR), periods.nextDayStart);
    assert.equal(budgetRetryAt(NOW, 'month', periods, 40 * 24 * HOUR), periods.nextMonthStart);
  });

  it('looks again sooner, as caps may be raised or reservations released', () => {
    assert.equal(budgetRetryAt(NOW, 'day', periods, 10 * MINUTE), NOW + 10 * MINUTE);
    assert.equal(budgetRetryAt(NOW, 'month', periods, 10 * MINUTE), NOW + 10 * MINUTE);
  });
});
