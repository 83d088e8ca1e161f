import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRange } from './number-range.ts';
import { classifyNumber, maskNumber, toE164, type NumberType } from './phone.ts';

describe('classifyNumber', () => {
  const cases: [raw: string, normalized: string, type: NumberType, country: string | null][] = [
    ['+33612345678', '+33612345678', 'mobile', 'FR'],
    ['+33756123456', '+33756123456', 'mobile', 'FR'],
    ['+33 6 12 34 56 78', '+33612345678', 'mobile', 'FR'],
    ['+33.6.12.34.56.78', '+33612345678', 'mobile', 'FR'],
    ['+33-6-12-34-56-78', '+33612345678', 'mobile', 'FR'],
    ['  +33612345678  ', '+33612345678', 'mobile', 'FR'],
    ['+33142345678', '+33142345678', 'fixed_line', 'FR'],
    ['+33899123456', '+33899123456', 'premium_rate', 'FR'],
    ['+33810123456', '+33810123456', 'shared_cost', 'FR'],
    ['+33800123456', '+33800123456', 'toll_free', 'FR'],
    ['+33939123456', '+33939123456', 'voip', 'FR'],
    ['+32470123456', '+32470123456', 'mobile', 'BE'],
    ['+447400123456', '+447400123456', 'mobile', 'GB'],
    ['+262692123456', '+262692123456', 'mobile', 'RE'],
    ['+12025550123', '+12025550123', 'fixed_line_or_mobile', 'US'],
  ];
  for (const [raw, normalized, type, country] of cases) {
    it(`${JSON.stringify(raw)} is ${type} (${country})`, () => {
      assert.deepEqual(classifyNumber(raw), { normalized, type, country });
    });
  }

  describe('withheld caller ids', () => {
    const withheld: [raw: string, normalized: string][] = [
      ['Anonymous', 'anonymous'],
      ['anonymous', 'anonymous'],
      ['Restricted', 'restricted'],
      ['Unknown ', 'unknown'],
      ['', 'anonymous'],
      ['   ', 'anonymous'],
      ['+266696687', '+266696687'],
      ['+7378742833', '+7378742833'],
      ['+2562533', '+2562533'],
      ['+8656696', '+8656696'],
      ['+86282452253', '+86282452253'],
    ];
    for (const [raw, normalized] of withheld) {
      it(`${JSON.stringify(raw)} is withheld`, () => {
        assert.deepEqual(classifyNumber(raw), { normalized, type: 'withheld', country: null });
      });
    }
  });

  describe('garbage', () => {
    for (const raw of [
      'garbage',
      'tel:+33612345678',
      '+33612345678x',
      '+3315',
      '+33712345678',
      '+33639990000',
    ]) {
      it(`${JSON.stringify(raw)} is invalid`, () => {
        assert.equal(classifyNumber(raw).type, 'invalid');
      });
    }
  });

  describe('national format', () => {
    // Caller ids arrive in E.164; classifyNumber guesses no country, so a national number stays
    // unusable (and is never texted). People's input goes through toE164 first.
    for (const raw of ['0612345678', '06 12 34 56 78']) {
      it(`${JSON.stringify(raw)} is invalid with no country guessed`, () => {
        assert.deepEqual(classifyNumber(raw), {
          normalized: '0612345678',
          type: 'invalid',
          country: null,
        });
      });
    }
    it('classifies the E.164 form toE164 gives for it', () => {
      const e164 = toE164('06 12 34 56 78', 'FR');
      assert.equal(e164, '+33612345678');
      assert.equal(classifyNumber(e164).type, 'mobile');
    });
  });

  describe('ARCEP fiction ranges', () => {
    const fiction: [raw: string, normalized: string, type: NumberType][] = [
      ['+33639980000', '+33639980000', 'fiction'],
      ['+33639989999', '+33639989999', 'fiction'],
      ['+33 6 39 98 00 12', '+33639980012', 'fiction'],
      ['+33199000000', '+33199000000', 'fixed_line'],
      ['+33 1 99 00 12 34', '+33199001234', 'fixed_line'],
    ];
    for (const [raw, normalized, type] of fiction) {
      it(`${JSON.stringify(raw)} is ${type} in FR`, () => {
        assert.deepEqual(classifyNumber(raw), { normalized, type, country: 'FR' });
      });
    }

    const tooShortOrLong = ['+3363998', '+336399812', '+3363998001234', '+3319900'];
    for (const raw of tooShortOrLong) {
      it(`${raw} (wrong length) is not a number of the range`, () => {
        assert.equal(classifyNumber(raw).type, 'invalid');
      });
    }
  });
});

describe('toE164', () => {
  const cases: [raw: string, e164: string | null][] = [
    ['+33612345678', '+33612345678'],
    ['06 12 34 56 78', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['0612345678', '+33612345678'],
    ['0033612345678', '+33612345678'],
    ['+33 9 39 00 00 00', '+33939000000'],
    ['+1 (202) 555-0123', '+12025550123'],
    ['garbage', null],
    ['', null],
  ];
  for (const [raw, e164] of cases) {
    it(`${JSON.stringify(raw)} → ${e164}`, () => {
      assert.equal(toE164(raw, 'FR'), e164);
    });
  }

  it('keeps international numbers when no default country is given', () => {
    assert.equal(toE164('+33612345678', undefined), '+33612345678');
  });

  it('does not assume France without a default country', () => {
    assert.equal(toE164('0612345678'), null);
  });

  // HOTLINE_NUMBER goes through toE164; these become lines "+33123" and "+3312".
  for (const raw of ['abc123', '12', '0612']) {
    it(`${JSON.stringify(raw)} is not a phone number`, () => {
      assert.equal(toE164(raw, 'FR'), null);
    });
  }
});

describe('maskNumber', () => {
  const cases: [raw: string, masked: string][] = [
    ['+33612345678', '+3361****78'],
    ['  +33612345678  ', '+3361****78'],
    ['+32470123456', '+3247****56'],
    ['1234567', '12345****67'],
    ['123456', '12****'],
    ['+3361', '+3****'],
    ['', '(none)'],
  ];
  for (const [raw, masked] of cases) {
    it(`${JSON.stringify(raw)} → ${masked}`, () => {
      assert.equal(maskNumber(raw), masked);
    });
  }

  it('never shows more than 7 characters of a number', () => {
    const masked = maskNumber('+33612345678');
    assert.equal(masked.replaceAll('*', '').length, 7);
    assert.ok(!masked.includes('123456'));
  });
});

describe('formatRange', () => {
  it('groups a French range by pairs and marks the open digits', () => {
    assert.equal(formatRange('+336123456'), '+33 6 12 34 56 ··');
    assert.equal(formatRange('+33612345'), '+33 6 12 34 5·');
    assert.equal(formatRange('+33612'), '+33 6 12 ··');
  });
  it('leaves other countries in one block', () => {
    assert.equal(formatRange('+4479460012'), '+4479460012 ··');
  });
});
