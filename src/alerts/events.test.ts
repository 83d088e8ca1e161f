import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PROVIDER_ERROR_WINDOW_MS,
  alertKey,
  budgetThresholdsReached,
  formatAlert,
  parseAlertEvent,
  redactEvent,
  type AlertEvent,
} from './events.ts';

const MIN = 60_000;
const EUR = 1_000_000;
/** 17:05 in Paris (UTC+1 in November). */
const AT = Date.UTC(2026, 10, 1, 16, 5);
const LINE = '+33939000000';
const CALLER = '+33612345678';
const TZ = 'Europe/Paris';

const budget = (
  over: Partial<Extract<AlertEvent, { kind: 'budget' }>> = {},
): Extract<AlertEvent, { kind: 'budget' }> => ({
  kind: 'budget',
  period: 'day',
  periodKey: '2026-11-01',
  threshold: 80,
  spentMicros: 4 * EUR,
  capMicros: 5 * EUR,
  currency: 'EUR',
  at: AT,
  ...over,
});

const providerError = (at: number, provider = 'twilio'): AlertEvent => ({
  kind: 'provider_error',
  provider,
  at,
  detail: `The 'To' number ${CALLER} is not a valid phone number.`,
});

const shieldOn = (over: Partial<Extract<AlertEvent, { kind: 'shield_on' }>> = {}): AlertEvent => ({
  kind: 'shield_on',
  line: LINE,
  at: AT,
  trigger: 'auto',
  detail: `412 texts in 10 minutes, busiest sender ${CALLER}`,
  ...over,
});

const shieldOff = (
  over: Partial<Extract<AlertEvent, { kind: 'shield_off' }>> = {},
): AlertEvent => ({
  kind: 'shield_off',
  line: LINE,
  at: AT + 135 * MIN,
  trigger: 'auto',
  startedAt: AT,
  ...over,
});

const ALL: AlertEvent[] = [
  shieldOn(),
  shieldOn({ trigger: 'operator' }),
  shieldOff(),
  shieldOff({ trigger: 'operator' }),
  budget({ threshold: 50 }),
  budget({ threshold: 80 }),
  budget({ threshold: 100, spentMicros: 5 * EUR }),
  budget({ period: 'month', periodKey: '2026-11', threshold: 80, capMicros: 50 * EUR }),
  budget({ period: 'month', periodKey: '2026-11', threshold: 100, capMicros: 50 * EUR }),
  providerError(AT),
];

describe('alertKey', () => {
  it('gives two budget events of one period and threshold the same key, whatever the spend', () => {
    const a = budget({ spentMicros: 4 * EUR, at: AT });
    const b = budget({ spentMicros: 4.2 * EUR, at: AT + 30 * MIN });
    assert.equal(alertKey(a), alertKey(b));
  });

  it('separates thresholds, periods and days', () => {
    const keys = [
      budget({ threshold: 50 }),
      budget({ threshold: 80 }),
      budget({ threshold: 100 }),
      budget({ periodKey: '2026-11-02' }),
      budget({ period: 'month', periodKey: '2026-11' }),
    ].map(alertKey);
    assert.equal(new Set(keys).size, keys.length);
  });

  it('keeps one provider error per provider per 15 minutes', () => {
    const windowStart = Math.ceil(AT / PROVIDER_ERROR_WINDOW_MS) * PROVIDER_ERROR_WINDOW_MS;
    const first = windowStart + MIN;
    assert.equal(
      alertKey(providerError(first)),
      alertKey(providerError(first + 10 * MIN)),
      '10 minutes apart in one window: one alert',
    );
    assert.notEqual(
      alertKey(providerError(first)),
      alertKey(providerError(first + 20 * MIN)),
      '20 minutes apart: two alerts',
    );
    assert.notEqual(alertKey(providerError(first)), alertKey(providerError(first, 'vonage')));
  });

  it('keys a shield period by its start, for both its start and its end alert', () => {
    assert.equal(alertKey(shieldOn()), alertKey(shieldOn({ detail: 'another wording' })));
    assert.notEqual(alertKey(shieldOn()), alertKey(shieldOn({ at: AT + 3 * 60 * MIN })));
    assert.notEqual(alertKey(shieldOn()), alertKey(shieldOn({ line: '+33939000001' })));
    // Two processes may record the end a moment apart: still one alert for the period.
    assert.equal(alertKey(shieldOff()), alertKey(shieldOff({ at: AT + 136 * MIN })));
    assert.notEqual(alertKey(shieldOff()), alertKey(shieldOn()));
  });
});

describe('budgetThresholdsReached', () => {
  it('lists the thresholds at or under the spend', () => {
    const cap = 5 * EUR;
    assert.deepEqual(budgetThresholdsReached(0, cap), []);
    assert.deepEqual(budgetThresholdsReached(2.49 * EUR, cap), []);
    assert.deepEqual(budgetThresholdsReached(2.5 * EUR, cap), [50]);
    assert.deepEqual(budgetThresholdsReached(3.99 * EUR, cap), [50]);
    assert.deepEqual(budgetThresholdsReached(4 * EUR, cap), [50, 80]);
    assert.deepEqual(budgetThresholdsReached(cap - 1, cap), [50, 80]);
    assert.deepEqual(budgetThresholdsReached(cap, cap), [50, 80, 100]);
    assert.deepEqual(budgetThresholdsReached(2 * cap, cap), [50, 80, 100]);
  });

  it('is exact on awkward caps (no floating-point percentages)', () => {
    // 80 % of 3 micro-units is 2.4: 2 is under, 3 reaches it.
    assert.deepEqual(budgetThresholdsReached(2, 3), [50]);
    assert.deepEqual(budgetThresholdsReached(3, 3), [50, 80, 100]);
    // 50 % of 0.07 € is exactly 0.035 €.
    assert.deepEqual(budgetThresholdsReached(35_000, 70_000), [50]);
    assert.deepEqual(budgetThresholdsReached(34_999, 70_000), []);
  });

  it('reaches nothing with a zero cap (sending deliberately switched off)', () => {
    assert.deepEqual(budgetThresholdsReached(0, 0), []);
    assert.deepEqual(budgetThresholdsReached(100, 0), []);
  });
});

describe('formatAlert', () => {
  it('never shows a caller number, in any event or language', () => {
    for (const event of ALL) {
      for (const language of ['fr', 'en'] as const) {
        const { subject, text } = formatAlert(event, language, TZ);
        assert.ok(!`${subject}\n${text}`.includes(CALLER), `${event.kind} ${language}`);
        assert.ok(!/\+?33\s?6\d{8}/.test(text), `${event.kind} ${language}`);
      }
    }
    assert.match(formatAlert(providerError(AT), 'en', TZ).text, /\+3361\*{4}78/);
  });

  it('gives every alert a subject and an action or a reassurance', () => {
    for (const event of ALL) {
      const fr = formatAlert(event, 'fr', TZ);
      const en = formatAlert(event, 'en', TZ);
      assert.match(fr.subject, /^\[nonmerci\] /);
      assert.match(en.subject, /^\[nonmerci\] /);
      assert.match(fr.text, /Que faire|Rien à faire/, `${event.kind} fr`);
      assert.match(en.text, /What to do|Nothing to do/, `${event.kind} en`);
      assert.notEqual(fr.text, en.text);
    }
  });

  it('shield on: held not lost, where to look, how to switch it off, local time', () => {
    const fr = formatAlert(shieldOn(), 'fr', TZ);
    assert.match(fr.subject, /Bouclier/);
    assert.ok(fr.subject.includes(LINE));
    assert.match(fr.text, /17:05/);
    assert.match(fr.text, /en attente/);
    assert.match(fr.text, /pas perdus/);
    assert.match(fr.text, /tableau de bord/);
    assert.match(fr.text, /nonmerci shield off/);
    assert.match(fr.text, /412 texts in 10 minutes/);

    const en = formatAlert(shieldOn(), 'en', TZ);
    assert.match(en.subject, /shield switched on/);
    assert.match(en.text, /least|pace/);
    assert.match(en.text, /17:05/);
    assert.match(en.text, /held back/);
    assert.match(en.text, /not lost/);
    assert.match(en.text, /dashboard/);
    assert.match(en.text, /nonmerci shield off/);
  });

  it('writes the time in the configured time zone', () => {
    assert.match(formatAlert(shieldOn(), 'en', 'America/Montreal').text, /11:05/);
    assert.match(formatAlert(shieldOn(), 'en', 'UTC').text, /16:05/);
  });

  it('shield off: how long it lasted', () => {
    assert.match(formatAlert(shieldOff(), 'fr', TZ).text, /2 h 15 min/);
    assert.match(formatAlert(shieldOff(), 'en', TZ).text, /2 h 15 min/);
    assert.match(formatAlert(shieldOff(), 'en', TZ).subject, /switched off/);
  });

  it('budget 100 % of the day: no more replies until midnight, raise BUDGET_DAILY', () => {
    const event = budget({ threshold: 100, spentMicros: 5 * EUR });
    const fr = formatAlert(event, 'fr', TZ);
    assert.match(fr.subject, /épuisé/);
    assert.match(fr.text, /minuit/);
    assert.match(fr.text, /BUDGET_DAILY/);
    assert.match(fr.text, /5,00 EUR/);
    const en = formatAlert(event, 'en', TZ);
    assert.match(en.subject, /used up/);
    assert.match(en.text, /until midnight/);
    assert.match(en.text, /BUDGET_DAILY/);
    assert.match(en.text, /5\.00 EUR/);
  });

  it('budget of the month points at BUDGET_MONTHLY and the 1st of next month', () => {
    const event = budget({
      period: 'month',
      periodKey: '2026-11',
      threshold: 100,
      capMicros: 50 * EUR,
      spentMicros: 50 * EUR,
    });
    const en = formatAlert(event, 'en', TZ);
    assert.match(en.text, /BUDGET_MONTHLY/);
    assert.match(en.text, /1st of next month/);
    assert.match(en.text, /November 2026/);
    assert.doesNotMatch(en.text, /BUDGET_DAILY/);
    assert.match(formatAlert(event, 'fr', TZ).text, /novembre 2026/);
  });

  it('budget 50 and 80 %: the share, the amounts, nothing blocked yet', () => {
    const fr = formatAlert(budget({ threshold: 80 }), 'fr', TZ);
    assert.match(fr.subject, /80 %/);
    assert.match(fr.text, /4,00 EUR/);
    assert.match(fr.text, /5,00 EUR/);
    assert.match(fr.text, /Rien n'est bloqué/);
    const en = formatAlert(budget({ threshold: 50, spentMicros: 2.5 * EUR }), 'en', TZ);
    assert.match(en.subject, /50%/);
    assert.match(en.text, /2\.50 EUR of the 5\.00 EUR/);
    assert.match(en.text, /Nothing is blocked/);
  });

  it('provider error: which provider, its masked message, what to check', () => {
    const fr = formatAlert(providerError(AT), 'fr', TZ);
    assert.match(fr.subject, /twilio/);
    assert.match(fr.text, /is not a valid phone number/);
    assert.match(fr.text, /crédit/);
    const en = formatAlert(providerError(AT), 'en', TZ);
    assert.match(en.text, /credit/);
  });
});

describe('redactEvent and parseAlertEvent', () => {
  it('masks details and shortens long ones', () => {
    const long = { ...providerError(AT), detail: `${CALLER} ${'x'.repeat(2000)}` };
    const clean = redactEvent(long);
    assert.equal(clean.kind, 'provider_error');
    if (clean.kind !== 'provider_error') return;
    assert.ok(!clean.detail.includes(CALLER));
    assert.ok(clean.detail.length <= 500);
  });

  it('reads back what was stored and refuses what is not an event', () => {
    for (const event of ALL) assert.deepEqual(parseAlertEvent(JSON.stringify(event)), event);
    assert.equal(parseAlertEvent('not json'), null);
    assert.equal(parseAlertEvent('{"kind":"meteor","at":1}'), null);
    // Operators choose their thresholds: any whole percentage from 1 to 100.
    const at90 = { ...budget(), threshold: 90 };
    assert.deepEqual(parseAlertEvent(JSON.stringify(at90)), at90);
    for (const threshold of [0, 101, 12.5, '80'])
      assert.equal(parseAlertEvent(JSON.stringify({ ...budget(), threshold })), null);
    assert.equal(parseAlertEvent(JSON.stringify({ ...shieldOn(), at: 'soon' })), null);
  });
});

describe("shield and threat alerts in the reader's language", () => {
  const reason = {
    detector: 'hostile_newcomers' as const,
    count: 9,
    threshold: 8,
    usual: 0.4,
    windowMs: 30 * 60_000,
  };
  const on: AlertEvent = {
    kind: 'shield_on',
    line: LINE,
    at: AT,
    trigger: 'auto',
    detail: 'Slow raid: …',
    reason,
  };

  it('says why the shield switched on with the figures, in French and in English', () => {
    assert.match(
      formatAlert(on, 'fr', TZ).text,
      /Raison : Raid lent : 9 nouveaux appelants hostiles en 30 minutes .* contre 0,4 d'habitude \(seuil : 8\)/,
    );
    assert.match(
      formatAlert(on, 'en', TZ).text,
      /Reason: Slow raid: 9 hostile newcomers in 30 minutes .* against 0.4 usually \(threshold 8\)/,
    );
    const back = parseAlertEvent(JSON.stringify(redactEvent(on)));
    assert.deepEqual(back, on, 'the reason survives the outbox');
  });

  it('alerts a threat at once without its text, says the reply still goes on a calm line', () => {
    const threat: AlertEvent = {
      kind: 'threat',
      line: LINE,
      at: AT,
      contactId: 42,
      callerId: 7,
      raid: false,
    };
    const fr = formatAlert(threat, 'fr', TZ);
    assert.match(fr.subject, /Menace reçue sur la ligne/);
    assert.match(fr.text, /reçoit quand même le SMS/);
    assert.match(fr.text, /Que faire/);
    const en = formatAlert(threat, 'en', TZ);
    assert.match(en.text, /still gets the consent text/);
    assert.match(en.text, /contact #42/);
    assert.equal(alertKey(threat), `threat:${LINE}:caller:7`, 'one alert per threatening caller');
    const raid = { ...threat, raid: true };
    assert.match(alertKey(raid), /^threat:.*:raid:\d+$/, 'during a raid, one per quarter hour');
    assert.match(formatAlert(raid, 'en', TZ).text, /at most one alert of this kind per quarter/);
    assert.deepEqual(parseAlertEvent(JSON.stringify(threat)), threat);
  });
});
