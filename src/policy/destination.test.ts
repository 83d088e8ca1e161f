import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyNumber, type ClassifiedNumber, type NumberType } from '../domain/phone.ts';
import { checkDestination, type DestinationRules } from './destination.ts';

const FR_ONLY: DestinationRules = { allowedCountries: ['FR'], acceptsFictionNumbers: false };
const SIMULATOR: DestinationRules = { allowedCountries: ['FR'], acceptsFictionNumbers: true };

function number(type: NumberType, country: string | null = 'FR'): ClassifiedNumber {
  return { normalized: '+33000000000', type, country };
}

describe('checkDestination', () => {
  it('allows a French mobile', () => {
    assert.deepEqual(checkDestination(classifyNumber('+33612345678'), FR_ONLY), { allowed: true });
  });

  const refusedTypes: NumberType[] = [
    'fixed_line',
    'fixed_line_or_mobile',
    'premium_rate',
    'shared_cost',
    'toll_free',
    'voip',
    'personal',
    'pager',
    'uan',
    'voicemail',
  ];
  for (const type of refusedTypes) {
    it(`refuses ${type}`, () => {
      assert.deepEqual(checkDestination(number(type), FR_ONLY), {
        allowed: false,
        why: `number type ${type}`,
      });
    });
  }

  it('refuses a withheld caller id', () => {
    assert.deepEqual(checkDestination(classifyNumber('Anonymous'), SIMULATOR), {
      allowed: false,
      why: 'caller id withheld',
    });
  });

  it('refuses an invalid number', () => {
    assert.deepEqual(checkDestination(classifyNumber('garbage'), SIMULATOR), {
      allowed: false,
      why: 'not a valid phone number',
    });
  });

  it('refuses a fiction number unless the provider accepts them', () => {
    const fiction = classifyNumber('+33639980012');
    assert.deepEqual(checkDestination(fiction, FR_ONLY), {
      allowed: false,
      why: 'fiction number (ARCEP reserved range)',
    });
    assert.deepEqual(checkDestination(fiction, SIMULATOR), { allowed: true });
  });

  it('still applies the country list to fiction numbers', () => {
    const verdict = checkDestination(classifyNumber('+33639980012'), {
      allowedCountries: ['BE'],
      acceptsFictionNumbers: true,
    });
    assert.deepEqual(verdict, { allowed: false, why: 'country FR not allowed' });
  });

  it('refuses a mobile from a country that is not listed', () => {
    assert.deepEqual(checkDestination(classifyNumber('+32470123456'), FR_ONLY), {
      allowed: false,
      why: 'country BE not allowed',
    });
    assert.deepEqual(
      checkDestination(classifyNumber('+32470123456'), {
        ...FR_ONLY,
        allowedCountries: ['FR', 'BE'],
      }),
      { allowed: true },
    );
  });

  it('refuses a mobile with no country (international networks)', () => {
    assert.deepEqual(checkDestination(number('mobile', null), FR_ONLY), {
      allowed: false,
      why: 'country unknown not allowed',
    });
  });

  it('refuses everything when no country is allowed', () => {
    assert.equal(
      checkDestination(classifyNumber('+33612345678'), { ...FR_ONLY, allowedCountries: [] })
        .allowed,
      false,
    );
  });
});
