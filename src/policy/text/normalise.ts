/**
 * Text normalisation shared by the lexicon classifier, STOP detection and operator keyword rules.
 *
 * The goal is to make the usual obfuscations of an insult collapse onto one comparable form:
 * accents and fullwidth letters, Cyrillic/Greek look-alikes, zero-width characters, leetspeak
 * ("s4l0p3"), repeated letters ("saloooope"), spaced or dotted letters ("s a l o p e",
 * "s.a.l.o.p.e") and punctuation pushed inside a word ("con-nard", "p_u_t_e"). Pure code, no I/O.
 *
 * A normalised word only contains lowercase letters, digits and, inside a word, the wildcard `*`
 * (a letter hidden behind `*` or `#`, as in "f*ck" or "enc*lé"; see `globMatch` in classifier.ts).
 * Runs of the same letter are collapsed to one letter, so "connard" is stored as "conard": every
 * comparison happens between collapsed forms.
 */

export interface NormalisedText {
  /** The words, normalised and collapsed. */
  words: string[];
  /** The words joined with single spaces, for phrase matching. */
  joined: string;
}

/**
 * Zero-width and invisible characters, removed before anything else (invisible combining marks,
 * such as variation selectors, go with the accents).
 */
const INVISIBLE =
  /[\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u206A-\u206F\u3164\uFEFF\uFFA0]/gu;

/** Cyrillic and Greek letters that look like Latin ones (applied after lowercasing). */
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  п: 'n',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  ў: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'l',
  ь: 'b',
  // Greek
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  μ: 'u',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  σ: 'o',
  ς: 's',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  // Latin letters that NFD does not decompose
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
  ı: 'i',
  ł: 'l',
  ŀ: 'l',
  þ: 'th',
  ɡ: 'g',
};

/** Digits and symbols read as letters inside a word that also has real letters. */
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '@': 'a',
  $: 's',
  '€': 'e',
  '|': 'l',
  '!': 'i',
};

/** Characters that glue a word together when used inside it ("sal.ope", "con-nard", "p_u_t_e"). */
const JOINERS = new Set(['.', '-', '_', '~', '^', '·', '•', '\u2010', '\u2011']);
/** Characters hiding a letter ("f*ck", "p#te"). */
const WILDCARDS = new Set(['*', '#']);

const LETTER = /\p{L}/u;
const DIGIT = /[0-9]/;
const LEET_DIGIT = /[0134578]/;
const COMBINING_MARK = /\p{M}/gu;
const WHITESPACE = /\s+/u;

export interface NormaliseOptions {
  /**
   * What a joiner (. - _ …) inside a word does: `join` (default) glues both sides ("con-nard" →
   * "connard"), `split` cuts the word there ("fils-de-pute" → "fils de pute").
   */
  joiners?: 'join' | 'split';
  /** How a `1` inside a word is read: `i` (default, "b1tch") or `l` ("sa1ope", "1oser"). */
  one?: 'i' | 'l';
}

/** Normalises a text for matching; see the module comment. */
export function normaliseText(text: string, options: NormaliseOptions = {}): NormalisedText {
  const joiners = options.joiners ?? 'join';
  const one = options.one ?? 'i';
  const words: string[] = [];
  for (const raw of joinSpacedLetters(cleanCharacters(text).split(WHITESPACE))) {
    for (const segment of segments(raw, joiners)) {
      for (const word of readSegment(segment, one)) {
        if (word !== '') words.push(word);
      }
    }
  }
  return { words, joined: words.join(' ') };
}

/**
 * The views of a text worth matching against: the default one first (the same as
 * `normaliseText(text)`), then the one where joiners split words, then the ones reading `1` as `l`.
 * Duplicates are removed, so a plain text has a single view.
 */
export function normaliseVariants(text: string): NormalisedText[] {
  const views: NormalisedText[] = [];
  const seen = new Set<string>();
  const candidates: NormaliseOptions[] = [
    {},
    { joiners: 'split' },
    { one: 'l' },
    { joiners: 'split', one: 'l' },
  ];
  for (const options of candidates) {
    const view = normaliseText(text, options);
    if (!seen.has(view.joined)) {
      seen.add(view.joined);
      views.push(view);
    }
  }
  return views;
}

/**
 * Removes invisible characters, folds compatibility forms (fullwidth, mathematical letters),
 * lowercases, strips accents and maps look-alike letters to Latin.
 */
export function cleanCharacters(text: string): string {
  const folded = text
    .replace(INVISIBLE, '')
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING_MARK, '');
  let out = '';
  for (const char of folded) out += HOMOGLYPHS[char] ?? char;
  return out;
}

/** The part of a raw token that can make a letter, without surrounding punctuation. */
function core(token: string): string {
  let start = 0;
  let end = token.length;
  while (start < end && !isWordish(token.charAt(start))) start++;
  while (end > start && !isWordish(token.charAt(end - 1))) end--;
  return token.slice(start, end);
}

function isWordish(char: string): boolean {
  return LETTER.test(char) || DIGIT.test(char) || (char in LEET && char !== '!' && char !== '|');
}

/**
 * Glues runs of single-letter tokens: "s a l o p e", "s. a. l. o. p. e", "t e s t", "s 4 l 0 p e",
 * "p u t eeee".
 * A run needs at least three tokens and two real letters, so "test 1 2 3" keeps its digits.
 */
function joinSpacedLetters(tokens: readonly string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    const letters = run.filter((c) => LETTER.test(c)).length;
    if (run.length >= 3 && letters >= 2) out.push(run.join(''));
    else out.push(...run);
    run = [];
  };
  for (const token of tokens) {
    if (token === '') continue;
    const c = core(token);
    const chars = [...c];
    // A letter held at the end of a spaced run ("p u t eeeee") still belongs to it.
    const held = run.length >= 2 && chars.length > 1 && chars.every((ch) => ch === chars[0]);
    if (chars.length === 1 || (held && LETTER.test(chars[0]!))) {
      run.push(c);
    } else {
      flush();
      out.push(token);
    }
  }
  flush();
  return out;
}

/**
 * Cuts a raw token into segments at separators (anything that is not a letter, digit, leet
 * symbol, joiner or wildcard), at apostrophes, at runs of two or more joiners ("ok...bonne"), and at
 * single joiners when `joiners` is `split`. A `!` or `|` counts as a letter only between two word
 * characters ("b!tch"), otherwise it separates ("test!!").
 */
function segments(token: string, joiners: 'join' | 'split'): string[] {
  const chars = [...token];
  const out: string[] = [];
  let current = '';
  const cut = (): void => {
    if (current !== '') out.push(current);
    current = '';
  };
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? '';
    if (LETTER.test(char) || DIGIT.test(char) || WILDCARDS.has(char)) {
      current += char;
    } else if (char === '@' || char === '$' || char === '€') {
      current += char;
    } else if (char === '!' || char === '|') {
      const before = chars[i - 1] ?? '';
      const after = chars[i + 1] ?? '';
      const glued =
        char === '!'
          ? isWordish(before) && isWordish(after)
          : isWordish(before) || LETTER.test(after);
      if (glued) current += char;
      else cut();
    } else if (JOINERS.has(char)) {
      const doubled = JOINERS.has(chars[i - 1] ?? '') || JOINERS.has(chars[i + 1] ?? '');
      if (joiners === 'split' || doubled) cut();
      // joined: drop the joiner and keep going
    } else {
      // An apostrophe ("t'es", "c'est") or any other separator.
      cut();
    }
  }
  cut();
  return out;
}

/**
 * Turns one segment into words: leetspeak is read only when the segment has a real letter, long
 * digit runs at either end are kept apart ("test123" → "test", "123"), wildcards are kept only
 * inside the word, and runs of the same letter collapse.
 */
function readSegment(segment: string, one: 'i' | 'l'): string[] {
  if (!LETTER.test(segment)) {
    // Digits only (a number, "06 12 34"): keep the digits, drop symbols.
    const digits = segment.replace(/[^0-9]/g, '');
    return digits === '' ? [] : [digits];
  }
  const parts: string[] = [];
  let body = segment;
  const leading = /^[0-9]+/.exec(body)?.[0] ?? '';
  if (isLiteralNumber(leading)) {
    parts.push(leading);
    body = body.slice(leading.length);
  }
  const trailing = /[0-9]+$/.exec(body)?.[0] ?? '';
  let tail: string | null = null;
  if (isLiteralNumber(trailing) && trailing.length < body.length) {
    tail = trailing;
    body = body.slice(0, body.length - trailing.length);
  }
  let word = '';
  for (const char of body) {
    if (char === '1') word += one;
    else if (LEET_DIGIT.test(char) || char in LEET) word += LEET[char] ?? char;
    else if (WILDCARDS.has(char)) word += '*';
    else word += char;
  }
  word = word.replace(/^\*+|\*+$/g, '');
  word = collapse(word);
  parts.push(word);
  if (tail !== null) parts.push(tail);
  return parts;
}

/** A digit run at the edge of a word that is a number, not leetspeak: "123", "06", "2024". */
function isLiteralNumber(digits: string): boolean {
  return digits.length >= 3 || (digits.length === 2 && /[269]/.test(digits));
}

/** Collapses runs of the same letter (or wildcard): "saloooope" → "salope", "connard" → "conard". */
export function collapse(word: string): string {
  return word.replace(/(\p{L}|\*)\1+/gu, '$1');
}
