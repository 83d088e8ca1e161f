import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findPhrase, globMatch, wordMatches } from './match.ts';

describe('wordMatches', () => {
  const cases: [string, string, boolean, boolean][] = [
    ['con', 'con', false, true],
    ['conard', 'con', false, false],
    ['conards', 'conard', true, true],
    ['conard', 'conards', true, false],
    ['sal*pe', 'salope', false, true],
    ['f*k', 'fuck', true, true],
    ['enc*le', 'encul', true, true],
    ['p*te', 'pute', false, true],
    ['p*tes', 'pute', false, false],
    ['c*', 'con', false, false],
    ['fuck', 'f*ck', false, true],
    ['fck', 'f*ck', false, false],
  ];
  for (const [word, term, prefix, expected] of cases) {
    it(`${word} vs ${term}${prefix ? ' (stem)' : ''} → ${expected}`, () => {
      assert.equal(wordMatches(word, term, prefix), expected);
    });
  }
});

describe('globMatch', () => {
  it('reads a wildcard as one or two letters', () => {
    assert.equal(globMatch('f*k', 'fak'), true);
    assert.equal(globMatch('f*k', 'fuck'), true);
    assert.equal(globMatch('f*k', 'fuuuck'), false);
  });

  it('refuses patterns with too few letters or too many wildcards', () => {
    assert.equal(globMatch('a*', 'ab'), false);
    assert.equal(globMatch('a*b*c*d*e*f', 'axbxcxdxexf'), false);
  });
});

describe('findPhrase', () => {
  it('finds consecutive whole words', () => {
    assert.equal(findPhrase(['oh', 'ta', 'gueule', 'toi'], ['ta', 'gueule']), 1);
    assert.equal(findPhrase(['ta', 'belle', 'gueule'], ['ta', 'gueule']), -1);
    assert.equal(findPhrase(['ta'], []), -1);
  });
});
