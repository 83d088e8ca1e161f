import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeShieldReason, parseShieldReason, type ShieldReason } from './shield-reason.ts';

const MINUTE = 60_000;
/** What fr-FR puts between thousands: a narrow no-break space. */
const NNBSP = '\u202f';

describe('describeShieldReason: fast detector', () => {
  const contacts: ShieldReason = {
    detector: 'contacts',
    count: 42,
    threshold: 20,
    usual: 1.25,
    windowMs: MINUTE,
  };

  it('says contacts in one minute, with a decimal comma in French', () => {
    assert.equal(
      describeShieldReason(contacts, 'fr'),
      "Raid rapide : 42 contacts en une minute, contre 1,3 d'habitude (seuil : 20).",
    );
    assert.equal(
      describeShieldReason(contacts, 'en'),
      'Fast raid: 42 contacts in one minute, against 1.3 usually (threshold 20).',
    );
  });

  it('says new callers in one minute', () => {
    const reason: ShieldReason = {
      detector: 'new_callers',
      count: 11,
      threshold: 10,
      usual: 0.04,
      windowMs: MINUTE,
    };
    assert.equal(
      describeShieldReason(reason, 'fr'),
      "Raid rapide : 11 numéros jamais vus en une minute, contre 0 d'habitude (seuil : 10).",
    );
    assert.equal(
      describeShieldReason(reason, 'en'),
      'Fast raid: 11 numbers never seen before in one minute, against 0 usually (threshold 10).',
    );
  });

  it('rounds usual figures to one decimal below 10 and to a whole number from 10', () => {
    const say = (usual: number, language: 'fr' | 'en') =>
      /contre (.*) d'habitude|against (.*) usually/
        .exec(describeShieldReason({ ...contacts, usual }, language))!
        .slice(1)
        .find((s) => s !== undefined);
    assert.equal(say(0.35, 'fr'), '0,4');
    assert.equal(say(9.94, 'fr'), '9,9');
    assert.equal(say(9.96, 'en'), '10');
    assert.equal(say(12.5, 'fr'), '13');
    assert.equal(say(2, 'fr'), '2');
    assert.equal(say(1234.4, 'fr'), `1${NNBSP}234`);
    assert.equal(say(1234.4, 'en'), '1,234');
  });
});

describe('describeShieldReason: slow detector', () => {
  const slow: ShieldReason = {
    detector: 'hostile_newcomers',
    count: 9,
    threshold: 8,
    usual: 0.4,
    windowMs: 30 * MINUTE,
  };

  it('says hostile newcomers over the window, what counts as hostile, and the usual level', () => {
    assert.equal(
      describeShieldReason(slow, 'fr'),
      "Raid lent : 9 nouveaux appelants hostiles en 30 minutes (insultes, menaces, harcèlement sexuel, publicité, ou rappels à répétition), contre 0,4 d'habitude (seuil : 8).",
    );
    assert.equal(
      describeShieldReason(slow, 'en'),
      'Slow raid: 9 hostile newcomers in 30 minutes (first-time callers who insulted, threatened, harassed, spammed or kept calling back), against 0.4 usually (threshold 8).',
    );
  });

  it('says whole hours as hours: "1 h" / "1 hour", "2 h" / "2 hours"', () => {
    const inWindow = (windowMs: number, language: 'fr' | 'en') =>
      / (?:en|in) ([^(]+) \(/.exec(describeShieldReason({ ...slow, windowMs }, language))![1];
    assert.equal(inWindow(60 * MINUTE, 'fr'), '1 h');
    assert.equal(inWindow(60 * MINUTE, 'en'), '1 hour');
    assert.equal(inWindow(120 * MINUTE, 'fr'), '2 h');
    assert.equal(inWindow(120 * MINUTE, 'en'), '2 hours');
    assert.equal(inWindow(90 * MINUTE, 'fr'), '90 minutes');
    assert.equal(inWindow(90 * MINUTE, 'en'), '90 minutes');
    assert.equal(inWindow(MINUTE, 'fr'), '1 minute');
    assert.equal(inWindow(MINUTE, 'en'), '1 minute');
  });
});

describe('describeShieldReason: quiet', () => {
  const quiet = (contacts: number, hostileNewcomers: number): ShieldReason => ({
    detector: 'quiet',
    quietMs: 15 * MINUTE,
    contacts,
    contactsThreshold: 10,
    hostileNewcomers,
    hostileNewcomersThreshold: 4,
    windowMs: 30 * MINUTE,
  });

  it('says how long it has been quiet and both figures against the thresholds that keep it on', () => {
    assert.equal(
      describeShieldReason(quiet(3, 2), 'fr'),
      'Calme revenu depuis 15 minutes : 3 contacts dans la dernière minute (seuil 10), 2 nouveaux appelants hostiles en 30 minutes (seuil 4).',
    );
    assert.equal(
      describeShieldReason(quiet(3, 2), 'en'),
      'Quiet for 15 minutes: 3 contacts in the last minute (threshold 10), 2 hostile newcomers in 30 minutes (threshold 4).',
    );
  });

  it('uses the singular for one in both languages', () => {
    assert.equal(
      describeShieldReason(quiet(1, 1), 'fr'),
      'Calme revenu depuis 15 minutes : 1 contact dans la dernière minute (seuil 10), 1 nouvel appelant hostile en 30 minutes (seuil 4).',
    );
    assert.equal(
      describeShieldReason(quiet(1, 1), 'en'),
      'Quiet for 15 minutes: 1 contact in the last minute (threshold 10), 1 hostile newcomer in 30 minutes (threshold 4).',
    );
  });

  it('uses the singular for zero in French and the plural in English', () => {
    assert.equal(
      describeShieldReason(quiet(0, 0), 'fr'),
      'Calme revenu depuis 15 minutes : 0 contact dans la dernière minute (seuil 10), 0 nouvel appelant hostile en 30 minutes (seuil 4).',
    );
    assert.equal(
      describeShieldReason(quiet(0, 0), 'en'),
      'Quiet for 15 minutes: 0 contacts in the last minute (threshold 10), 0 hostile newcomers in 30 minutes (threshold 4).',
    );
  });

  it('says "0 minutes" in English and "0 minute" in French (a quiet period under 30 s)', () => {
    const quiet = {
      detector: 'quiet' as const,
      quietMs: 20_000,
      contacts: 2,
      contactsThreshold: 10,
      hostileNewcomers: 2,
      hostileNewcomersThreshold: 4,
      windowMs: 30 * MINUTE,
    };
    assert.match(describeShieldReason(quiet, 'en'), /^Quiet for 0 minutes:/);
    assert.match(describeShieldReason(quiet, 'fr'), /^Calme revenu depuis 0 minute :/);
  });

  it('says a quiet period of whole hours in hours', () => {
    const reason = { ...quiet(2, 0), quietMs: 60 * MINUTE, windowMs: 120 * MINUTE };
    assert.match(describeShieldReason(reason, 'fr'), /^Calme revenu depuis 1 h : .* en 2 h \(/);
    assert.match(describeShieldReason(reason, 'en'), /^Quiet for 1 hour: .* in 2 hours \(/);
  });
});

describe('describeShieldReason: operator', () => {
  const cases: [to: 'on' | 'off' | 'auto', fr: string, en: string][] = [
    ['on', "Une opératrice l'a activé.", 'Switched on by an operator.'],
    ['off', "Une opératrice l'a désactivé.", 'Switched off by an operator.'],
    [
      'auto',
      'Une opératrice a rendu la main à la détection automatique.',
      'An operator gave control back to automatic detection.',
    ],
  ];
  for (const [to, fr, en] of cases) {
    it(`says an operator switched it ${to}`, () => {
      assert.equal(describeShieldReason({ detector: 'operator', to }, 'fr'), fr);
      assert.equal(describeShieldReason({ detector: 'operator', to }, 'en'), en);
    });
  }
});

describe('parseShieldReason', () => {
  const reasons: ShieldReason[] = [
    { detector: 'contacts', count: 42, threshold: 20, usual: 1.25, windowMs: MINUTE },
    { detector: 'new_callers', count: 11, threshold: 10, usual: 0, windowMs: MINUTE },
    { detector: 'hostile_newcomers', count: 9, threshold: 8, usual: 0.4, windowMs: 30 * MINUTE },
    {
      detector: 'quiet',
      quietMs: 15 * MINUTE,
      contacts: 0,
      contactsThreshold: 10,
      hostileNewcomers: 1,
      hostileNewcomersThreshold: 4,
      windowMs: 30 * MINUTE,
    },
    { detector: 'operator', to: 'on' },
    { detector: 'operator', to: 'off' },
    { detector: 'operator', to: 'auto' },
  ];

  for (const reason of reasons) {
    it(`reads back a stored ${reason.detector} reason${'to' in reason ? ` (${reason.to})` : ''}`, () => {
      const parsed = parseShieldReason(JSON.stringify(reason));
      assert.deepEqual(parsed, reason);
      assert.equal(describeShieldReason(parsed, 'fr'), describeShieldReason(reason, 'fr'));
      assert.equal(describeShieldReason(parsed, 'en'), describeShieldReason(reason, 'en'));
    });
  }

  it('is null for a period stored before reasons were (no reason column value)', () => {
    assert.equal(parseShieldReason(null), null);
    assert.equal(parseShieldReason(''), null);
  });

  const junk = [
    'Fast raid: 42 contacts in one minute', // an old text detail, not JSON
    '{"detector":',
    'null',
    '42',
    '"contacts"',
    'true',
    '[]',
    '["contacts"]',
    '{}',
    '{"count":42,"threshold":20}',
    '{"detector":42}',
    '{"detector":null}',
    '{"detector":"bogus"}',
    '{"detector":"contacts"}',
    '{"detector":"quiet","quietMs":900000}',
    '{"detector":"operator","to":"sideways"}',
    '{"detector":"hostile_newcomers","count":"9","threshold":8,"usual":0.4,"windowMs":1800000}',
  ];
  for (const json of junk) {
    it(`is null for ${JSON.stringify(json)}`, () => {
      assert.equal(parseShieldReason(json), null);
    });
  }
});
