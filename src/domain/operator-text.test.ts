import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { smsCost } from '../policy/cost.ts';
import { InvalidInputError } from './errors.ts';
import {
  checkOperatorText,
  checkReplySegments,
  KEYWORD,
  REPLY_TEXT,
  RULE_NOTE,
  VOICE_TEXT,
  withoutForbiddenCharacters,
} from './operator-text.ts';

/** What XML 1.0 accepts as a character (the Char production). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const refusal = (fn: () => unknown): InvalidInputError => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, String(error));
    return error;
  }
  assert.fail('accepted');
};

describe('checkOperatorText', () => {
  it('accepts any language, emoji, and line breaks and tabs in a text of several lines', () => {
    for (const text of [
      "Bonjour. Un non est un non : insister, c'est du harcèlement.",
      'لا يعني لا',
      'Nein heißt nein 🙅‍♀️',
      'Ligne 1\nLigne 2\tfin',
    ])
      assert.equal(checkOperatorText(text, REPLY_TEXT), text);
  });

  it('trims, and stores line endings as "\\n"', () => {
    assert.equal(checkOperatorText('  a\r\nb\rc \n', VOICE_TEXT), 'a\nb\nc');
  });

  const forbidden: [string, string][] = [
    ['\u0000', 'U+0000 NUL'],
    ['\u0007', 'U+0007 BEL'],
    ['\u001b', 'U+001B ESC'],
    ['\u000b', 'U+000B'],
    ['\u007f', 'U+007F DEL'],
    ['\u0085', 'U+0085'],
    ['\u009b', 'U+009B'],
    ['\uD83D', 'half of an emoji or symbol (U+D83D)'],
    ['\uDE00', 'half of an emoji or symbol (U+DE00)'],
    ['\uFFFE', 'U+FFFE'],
    ['\uFFFF', 'U+FFFF'],
    ['\u{1FFFF}', 'U+1FFFF'],
  ];
  for (const [char, named] of forbidden)
    it(`refuses ${named}, naming it, the field and where it is`, () => {
      const error = refusal(() => checkOperatorText(`é😀x${char}y`, REPLY_TEXT, 'replyText'));
      assert.ok(error.message.startsWith('The SMS text contains'), error.message);
      assert.ok(error.message.includes(named), error.message);
      assert.ok(error.message.includes('at character 4'), error.message);
      assert.equal(error.details.field, 'replyText');
    });

  it('refuses line breaks and tabs in a one-line text', () => {
    for (const text of ['a\nb', 'a\tb', 'a\rb'])
      assert.match(refusal(() => checkOperatorText(text, KEYWORD)).message, /one line/);
  });

  it('refuses an empty text unless it is optional', () => {
    assert.match(refusal(() => checkOperatorText(' \n ', VOICE_TEXT)).message, /cannot be empty/);
    assert.equal(checkOperatorText('  ', RULE_NOTE), '');
  });

  it('counts characters, not UTF-16 units: an emoji is one', () => {
    assert.equal(checkOperatorText('😀'.repeat(2000), VOICE_TEXT).length, 4000);
    assert.match(
      refusal(() => checkOperatorText('a'.repeat(2001), VOICE_TEXT)).message,
      /is too long: 2,001 characters, 2,000 at most/,
    );
  });

  it('either refuses a text or returns one without a forbidden character (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        let checked: string;
        try {
          checked = checkOperatorText(text, REPLY_TEXT);
        } catch (error) {
          assert.ok(error instanceof InvalidInputError);
          return;
        }
        assert.doesNotMatch(checked, NOT_XML_CHAR);
        assert.equal(withoutForbiddenCharacters(checked), checked);
      }),
    );
  });
});

describe('checkReplySegments (10 segments at most)', () => {
  const check = (text: string) => () => checkReplySegments(smsCost(text, 0), 'replyText');

  it('accepts 1,530 GSM-7 characters and 670 UCS-2 ones', () => {
    check('a'.repeat(1530))();
    check('ç'.repeat(670))();
    check(`${'a'.repeat(669)}’`)();
  });

  it('refuses 1,531 GSM-7 characters, saying it takes 11 segments', () => {
    const error = refusal(check('a'.repeat(1531)));
    assert.match(
      error.message,
      /^"replyText" is too long: the SMS text takes 11 SMS segments; 10 at most\./,
    );
    assert.match(error.message, /GSM-7, which holds 153 characters a segment, 1,530 in all/);
    assert.equal(error.details.field, 'replyText');
  });

  it('refuses 671 characters when one of them forces UCS-2, naming it', () => {
    const error = refusal(check(`${'a'.repeat(670)}’`));
    assert.match(error.message, /takes 11 SMS segments/);
    assert.match(error.message, /UCS-2 \(because of "’"\)/);
  });

  it('names each character that forces UCS-2 once, five at most', () => {
    const error = refusal(check('çé’😀€ñàœ'.repeat(100)));
    assert.match(error.message, /because of "ç", "’", "😀", "œ"\)/);
  });

  it('counts "€" twice in GSM-7', () => {
    assert.match(refusal(check('€'.repeat(765))).message, /takes 11 SMS segments/);
  });
});

describe('withoutForbiddenCharacters', () => {
  it('removes controls, lone surrogates and noncharacters, and keeps the rest', () => {
    assert.equal(
      withoutForbiddenCharacters('a\u0000b\u001b[0m\tc\nd\uD83D😀\uFFFE\u0085é'),
      'ab[0m\tc\nd😀é',
    );
  });

  it('always leaves valid XML 1.0 characters (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => {
        assert.doesNotMatch(withoutForbiddenCharacters(text), NOT_XML_CHAR);
      }),
    );
  });
});
