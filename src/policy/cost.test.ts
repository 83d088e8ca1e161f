import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TEXTS } from '../domain/messages.ts';
import { LANGUAGES } from '../domain/types.ts';
import { smsCost } from './cost.ts';

const PRICE = 160_000;

describe('smsCost segments', () => {
  const cases: [label: string, body: string, encoding: 'GSM-7' | 'UCS-2', segments: number][] = [
    ['160 GSM-7 characters', 'a'.repeat(160), 'GSM-7', 1],
    ['161 GSM-7 characters', 'a'.repeat(161), 'GSM-7', 2],
    ['306 GSM-7 characters (2 × 153)', 'a'.repeat(306), 'GSM-7', 2],
    ['307 GSM-7 characters', 'a'.repeat(307), 'GSM-7', 3],
    ['80 euro signs (each counts double)', '€'.repeat(80), 'GSM-7', 1],
    ['81 euro signs', '€'.repeat(81), 'GSM-7', 2],
    ['159 letters and a brace', `${'a'.repeat(159)}{`, 'GSM-7', 2],
    ['158 letters and a brace', `${'a'.repeat(158)}{`, 'GSM-7', 1],
    ['French accents that GSM-7 has', 'àèéÉÇùìò'.repeat(20), 'GSM-7', 1],
    ['70 ç', 'ç'.repeat(70), 'UCS-2', 1],
    ['71 ç', 'ç'.repeat(71), 'UCS-2', 2],
    ['134 ç (2 × 67)', 'ç'.repeat(134), 'UCS-2', 2],
    ['135 ç', 'ç'.repeat(135), 'UCS-2', 3],
    ['an empty body still costs a segment', '', 'GSM-7', 1],
  ];
  for (const [label, body, encoding, segments] of cases) {
    it(label, () => {
      const cost = smsCost(body, PRICE);
      assert.equal(cost.encoding, encoding);
      assert.equal(cost.segments, segments);
      assert.equal(cost.costMicros, segments * PRICE);
    });
  }

  it('counts escaped characters twice', () => {
    assert.equal(smsCost('€{}[]~|^\\', PRICE).characters, 18);
  });
});

describe('smsCost characters that force UCS-2', () => {
  const offenders: [label: string, body: string, listed: string[]][] = [
    ['ç (Ç itself is GSM-7)', 'Ça va, ça va', ['ç']],
    ['typographic apostrophe', 'c’est non', ['’']],
    ['guillemets', '« non »', ['«', '»']],
    ['non-breaking space', 'non\u00a0!', ['\u00a0']],
    ['ê', 'arrête', ['ê']],
  ];
  for (const [label, body, listed] of offenders) {
    it(label, () => {
      const cost = smsCost(body, PRICE);
      assert.equal(cost.encoding, 'UCS-2');
      assert.deepEqual(cost.nonGsmCharacters, listed);
    });
  }

  it('a single ’ halves the room in a message', () => {
    const plain = `${'a'.repeat(100)}'`;
    const curly = `${'a'.repeat(100)}’`;
    assert.equal(smsCost(plain, PRICE).segments, 1);
    assert.equal(smsCost(curly, PRICE).segments, 2);
    assert.equal(smsCost(curly, PRICE).costMicros, 2 * PRICE);
  });

  it('lists nothing for a GSM-7 body', () => {
    assert.deepEqual(
      smsCost("Un non est un non : insister, c'est du harcelement.", PRICE).nonGsmCharacters,
      [],
    );
  });
});

describe('default reply texts (regression guard on the words we ship)', () => {
  for (const language of LANGUAGES) {
    it(`${language} reply is GSM-7 and one segment`, () => {
      const cost = smsCost(DEFAULT_TEXTS[language].reply, PRICE);
      assert.deepEqual(cost.nonGsmCharacters, []);
      assert.equal(cost.encoding, 'GSM-7');
      assert.equal(cost.segments, 1);
      assert.equal(cost.costMicros, PRICE);
    });
  }
});
