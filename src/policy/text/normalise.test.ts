import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanCharacters, collapse, normaliseText, normaliseVariants } from './normalise.ts';

const joined = (text: string): string => normaliseText(text).joined;

describe('normaliseText', () => {
  const cases: [string, string, string][] = [
    ['accents', 'Pétasse', 'petase'],
    ['cedilla and ligature', 'Je conçois, cœur', 'je concois coeur'],
    ['case and punctuation', 'SALUT, ça va ?!', 'salut ca va'],
    ['fullwidth letters', 'ｓａｌｏｐｅ', 'salope'],
    ['mathematical letters', '𝐬𝐚𝐥𝐨𝐩𝐞', 'salope'],
    ['zero-width space', 'sal\u200Bope', 'salope'],
    ['zero-width joiner and BOM', 'p\u200Du\uFEFFte', 'pute'],
    ['soft hyphen and word joiner', 'con\u00ADn\u2060ard', 'conard'],
    ['Cyrillic look-alikes', 'ѕаlорe', 'salope'],
    ['Greek look-alikes', 'ρυτε', 'pute'],
    ['uppercase Greek', 'ΡUΤΕ', 'pute'],
    ['leet digits', 's4l0p3', 'salope'],
    ['leet symbols', '$alope p€tasse s@lope', 'salope petase salope'],
    ['! between letters', 'b!tch', 'bitch'],
    ['| as l', 'sa|ope', 'salope'],
    ['trailing ! is punctuation', 'test !!', 'test'],
    ['repeated letters', 'saloooope connnard', 'salope conard'],
    ['spaced letters', 's a l o p e', 'salope'],
    ['spaced letters with dots', 's. a. l. o. p. e.', 'salope'],
    ['spaced letters, the last one held', 'p u t eeeee', 'pute'],
    ['dotted letters', 's.a.l.o.p.e', 'salope'],
    ['hyphenated letters', 's-a-l-o-p-e', 'salope'],
    ['underscored letters', 'p_u_t_e', 'pute'],
    ['spaced leet letters', 's 4 l 0 p e', 'salope'],
    ['spaced letters inside a sentence', 'espèce de p u t e !', 'espece de pute'],
    ['dot inside a word', 'sal.ope', 'salope'],
    ['hyphen inside a word', 'con-nard', 'conard'],
    ['apostrophes split', "t'es où ? c’est moi", 't es ou c est moi'],
    ['wildcard kept inside a word', 'f**k enc*lé', 'f*k enc*le'],
    ['wildcard dropped at the edges', '*test* con*', 'test con'],
    ['digits alone stay digits', '06 12 34 56 78', '06 12 34 56 78'],
    ['spaced digits are not joined', 'TEST 1 2 3', 'test 1 2 3'],
    ['a number glued to a word is kept apart', 'test123 06h', 'test 123 06 h'],
    ['prices and times', '50€ à 20h', '50 a 20 h'],
    ['ellipsis separates', 'ok...bonne soirée', 'ok bone soire'],
    ['emoji separate', 'salut😀toi', 'salut toi'],
    ['empty', '  !!! ?? ', ''],
  ];
  for (const [name, text, expected] of cases) {
    it(`${name}: ${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(joined(text), expected);
    });
  }

  it('returns the words and their joined form', () => {
    assert.deepEqual(normaliseText('  Salut   Marc '), {
      words: ['salut', 'marc'],
      joined: 'salut marc',
    });
  });

  it('is idempotent on its own output', () => {
    for (const text of ['S4L0P3 !!', 'f**k you', 'test123', 'nique-ta-mère', 't e s t', '06 12']) {
      assert.equal(joined(joined(text)), joined(text), text);
    }
  });

  it('does not join two single letters (French elisions, "y a")', () => {
    assert.equal(joined('il y a un souci'), 'il y a un souci');
  });

  it('can split at joiners and read 1 as l', () => {
    assert.equal(normaliseText('fils-de-pute', { joiners: 'split' }).joined, 'fils de pute');
    assert.equal(normaliseText('sa1ope', { one: 'l' }).joined, 'salope');
    assert.equal(normaliseText('sa1ope').joined, 'saiope');
  });
});

describe('normaliseVariants', () => {
  it('has a single view for a plain text', () => {
    assert.deepEqual(
      normaliseVariants('bonjour toi').map((v) => v.joined),
      ['bonjour toi'],
    );
  });

  it('starts with the default view and adds the split and "1 as l" views', () => {
    assert.deepEqual(
      normaliseVariants('fils-de-pu1e').map((v) => v.joined),
      ['filsdepuie', 'fils de puie', 'filsdepule', 'fils de pule'],
    );
  });
});

describe('cleanCharacters and collapse', () => {
  it('strips accents, invisible characters and look-alikes but keeps punctuation', () => {
    assert.equal(cleanCharacters('Ça\u200B VA, Мarc ?'), 'ca va, marc ?');
  });

  it('collapses runs of letters and wildcards, not digits', () => {
    assert.equal(collapse('saaalooope**x'), 'salope*x');
    assert.equal(collapse('1000'), '1000');
  });
});
