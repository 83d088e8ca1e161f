import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NICKNAME_COUNT } from './nickname.ts';
import { NumberVault } from './number-vault.ts';

const SECRET = 'a secret of at least thirty-two characters, for tests';

/** French mobiles in order, as a raid's numbers often are. */
const numbers = (count: number, from = 612_000_000) =>
  Array.from({ length: count }, (_, i) => `+33${from + i}`);

describe('caller nicknames', () => {
  const vault = new NumberVault(SECRET);

  it('reads "Word-NN", a word the same in French and English, and two digits', () => {
    for (const number of numbers(2000)) assert.match(vault.nickname(number), /^[A-Z][a-z]+-\d{2}$/);
  });

  it('is the same for the same number, from any process that holds the secret', () => {
    const other = new NumberVault(SECRET);
    for (const number of numbers(50)) assert.equal(other.nickname(number), vault.nickname(number));
  });

  it('cannot be computed without the secret: another secret gives other nicknames', () => {
    const other = new NumberVault(`${SECRET} but another one`);
    const same = numbers(500).filter((n) => other.nickname(n) === vault.nickname(n));
    assert.ok(same.length < 5, `${same.length} of 500 nicknames shared across secrets`);
  });

  it('tells neighbouring numbers apart: few of a raid of 300 numbers share a nickname', () => {
    const seen = new Map<string, number>();
    for (const number of numbers(300)) {
      const name = vault.nickname(number);
      seen.set(name, (seen.get(name) ?? 0) + 1);
    }
    // 300 numbers among 16,000 nicknames: about 3 shared on average.
    assert.ok(seen.size >= 290, `${300 - seen.size} collisions among 300 numbers`);
    assert.equal(NICKNAME_COUNT, 16_000);
  });

  it('never holds three consecutive digits of the number, and its mask keeps the last two', () => {
    for (const number of numbers(1000, 699_999_000)) {
      const { masked, nickname } = vault.shown(vault.encrypt(number));
      const digits = number.slice(1);
      for (let i = 0; i + 3 <= digits.length; i++)
        assert.ok(!nickname.includes(digits.slice(i, i + 3)), `${nickname} shows ${number}`);
      assert.ok(masked.endsWith(number.slice(-2)), masked);
      assert.ok(!masked.includes(number.slice(-6)), masked);
    }
  });

  it('spreads over every word and every two-digit number', () => {
    const words = new Set<string>();
    const digits = new Set<string>();
    for (const number of numbers(20_000, 700_000_000)) {
      const [word, nn] = vault.nickname(number).split('-');
      words.add(word!);
      digits.add(nn!);
    }
    assert.equal(words.size, NICKNAME_COUNT / 100);
    assert.equal(digits.size, 100);
  });
});
