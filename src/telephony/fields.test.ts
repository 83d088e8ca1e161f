import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../domain/errors.ts';
import { decimalMicros, jsonField, messageBody, replyKey, shortField, sidField } from './fields.ts';

describe('webhook field readers', () => {
  it('accept provider identifiers and refuse anything else', () => {
    assert.equal(
      sidField({ CallSid: 'CA0123456789abcdef0123456789abcdef' }, 'CallSid'),
      'CA0123456789abcdef0123456789abcdef',
    );
    assert.equal(
      sidField({ SmsSid: 'SM1' }, 'MessageSid', 'SmsSid'),
      'SM1',
      'falls back to the second name',
    );
    assert.equal(
      sidField({ CallSid: 'v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg' }, 'CallSid'),
      'v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg',
      "Telnyx's call control ids",
    );
    for (const bad of ['', 'CA\u0000', 'CA 1', 'x'.repeat(129), '<Say>', 'a/b', 'a?b']) {
      assert.throws(
        () => sidField({ CallSid: bad }, 'CallSid'),
        InvalidInputError,
        JSON.stringify(bad),
      );
    }
  });

  it('bound short fields and refuse NUL bytes', () => {
    assert.equal(shortField({}, 'From'), '');
    assert.throws(() => shortField({}, 'To', true), InvalidInputError);
    assert.throws(() => shortField({ To: '+33\u0000' }, 'To'), InvalidInputError);
    assert.throws(() => shortField({ To: '1'.repeat(65) }, 'To'), InvalidInputError);
  });

  it('keep message bodies as evidence, without NUL bytes, up to 5000 characters', () => {
    assert.equal(messageBody({ Body: 'a\u0000b' }, 'Body'), 'a\uFFFDb');
    assert.equal(messageBody({}, 'Body'), '');
    assert.throws(() => messageBody({ Body: 'x'.repeat(5001) }, 'Body'), InvalidInputError);
  });

  it('read a reply key only when it is a UUID', () => {
    const key = '7b0c2a52-3f1e-4d2a-9c41-0e5d6f7a8b9c';
    assert.equal(replyKey(new URLSearchParams({ key })), key);
    assert.equal(replyKey(new URLSearchParams({ key: `${key}\u0000` })), null);
    assert.equal(replyKey(new URLSearchParams()), null);
  });

  it('read a price as positive micro-units, and nothing that is not a plausible price', () => {
    assert.equal(decimalMicros('0.0040'), 4_000);
    assert.equal(decimalMicros('-0.07600'), 76_000);
    assert.equal(decimalMicros(''), null);
    assert.equal(decimalMicros('free'), null);
    assert.equal(decimalMicros('1e300'), null);
    assert.equal(decimalMicros('Infinity'), null);
  });

  it('read JSON members by path, bounded, and refuse objects where a value is expected', () => {
    const body = { data: { payload: { to: [{ phone_number: '+33939000000' }], n: 2 } } };
    assert.equal(jsonField(body, 'data.payload.to.0.phone_number'), '+33939000000');
    assert.equal(jsonField(body, 'data.payload.n'), '2');
    assert.equal(jsonField(body, 'data.missing.deep'), '');
    assert.throws(() => jsonField(body, 'data.payload', true), InvalidInputError);
    assert.throws(() => jsonField(body, 'data.missing', true), InvalidInputError);
  });
});
