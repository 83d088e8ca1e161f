import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesKeyword, normaliseKeyword } from './keyword.ts';

describe('normaliseKeyword', () => {
  const cases: [string, string][] = [
    ['test', 'test'],
    ['  TeSt  ', 'test'],
    ['Nique ta mère', 'nique ta mere'],
    ['Connard', 'conard'],
    ['f*ck', 'f*ck'],
    ['b1tch', 'bitch'],
  ];
  for (const [pattern, stored] of cases) {
    it(`${JSON.stringify(pattern)} is stored as ${JSON.stringify(stored)}`, () => {
      assert.equal(normaliseKeyword(pattern), stored);
    });
  }

  it('throws a clear error for a pattern with nothing to match', () => {
    for (const pattern of ['', '   ', '!!! ??', '\u200B']) {
      assert.throws(() => normaliseKeyword(pattern), /empty once normalised/);
    }
  });
});

describe('matchesKeyword', () => {
  const test = normaliseKeyword('test');
  const cases: [string, string, boolean][] = [
    [test, 'TeSt !!', true],
    [test, 't3st', true],
    [test, 't e s t', true],
    [test, 'ceci est un TEST.', true],
    [test, 'attestation', false],
    [test, 'testing', false],
    [test, 'contest', false],
    [normaliseKeyword('nique ta mère'), 'NIQUE-TA-MÈRE', true],
    [normaliseKeyword('nique ta mère'), 'nique bien ta mère', false],
    [normaliseKeyword('f*ck'), 'fuck this', true],
    [normaliseKeyword('f*ck'), 'fck this', false],
    [normaliseKeyword('salope'), 'sa1ope', true],
    [normaliseKeyword('marc'), "Salut c'est Marc", true],
    ['Connard', 'c o n n a r d', true],
  ];
  for (const [keyword, text, expected] of cases) {
    it(`${JSON.stringify(keyword)} in ${JSON.stringify(text)} → ${expected}`, () => {
      assert.equal(matchesKeyword(text, keyword), expected);
    });
  }

  it('never matches an empty keyword', () => {
    assert.equal(matchesKeyword('anything', ''), false);
  });
});
