/**
 * The shield's text classifier: labels an inbound text as insult, threat, sexual, spam and/or test,
 * so that a hostile sender gets no paid reply. Pure code, no I/O.
 *
 * The default implementation matches a French and English lexicon (lexicon.ts) against several
 * normalised views of the text (normalise.ts), finds links on the raw text, recognises the
 * curious "is this line working?" messages, and texts made only of laughter ("mdr", "ptdr",
 * "😂😂"), the raid's bland filler, labelled mockery: it counts only while the shield is on. Anything with the `TextClassifier` shape can replace it.
 */
import {
  DEFAULT_LEXICON,
  LEXICON_LABELS,
  type Lexicon,
  type LexiconLabel,
  type MatchMode,
} from './lexicon.ts';
import { findPhrase, wordMatches } from './match.ts';
import { cleanCharacters, normaliseText, normaliseVariants } from './normalise.ts';

export type TextLabel = 'insult' | 'threat' | 'sexual' | 'spam' | 'test' | 'mockery';

export const TEXT_LABELS: readonly TextLabel[] = [
  'insult',
  'threat',
  'sexual',
  'spam',
  'test',
  'mockery',
];

export interface TextClassification {
  /** The labels found, in `TEXT_LABELS` order, without duplicates; empty for a clean text. */
  labels: TextLabel[];
  /** What matched, for explaining a decision: a lexicon term as written, `url`, or a test word. */
  matches: { label: TextLabel; term: string }[];
}

/** Pluggable: anything with this shape can replace the lexicon (e.g. a model-based classifier). */
export interface TextClassifier {
  readonly name: string;
  classify(text: string): TextClassification;
}

/** Only this many characters are read (an SMS is at most ~1600); keeps the cost bounded. */
export const MAX_TEXT_LENGTH = 10_000;

interface CompiledEntry {
  label: LexiconLabel;
  term: string;
  words: readonly string[];
  match: MatchMode;
}

interface Hit {
  entry: CompiledEntry;
  start: number;
}

/** Normalises every entry and indexes them by the first letter of their first word. */
function compile(lexicon: Lexicon): Map<string, CompiledEntry[]> {
  const index = new Map<string, CompiledEntry[]>();
  const seen = new Set<string>();
  for (const label of LEXICON_LABELS) {
    for (const { term, match } of lexicon[label]) {
      const { words } = normaliseText(term);
      const first = words[0];
      if (first === undefined || words.some((w) => w.includes('*'))) {
        throw new Error(
          `lexicon ${label} term ${JSON.stringify(term)} normalises to nothing usable`,
        );
      }
      const key = `${label}|${match}|${words.join(' ')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const firstChar = first.charAt(0);
      const bucket = index.get(firstChar) ?? [];
      bucket.push({ label, term, words, match });
      index.set(firstChar, bucket);
    }
  }
  return index;
}

function findHits(index: Map<string, CompiledEntry[]>, words: readonly string[]): Hit[] {
  const hits: Hit[] = [];
  for (let i = 0; i < words.length; i++) {
    const candidates = index.get((words[i] ?? '').charAt(0));
    if (candidates === undefined) continue;
    for (const entry of candidates) {
      const n = entry.words.length;
      if (i + n > words.length) continue;
      if (entry.match === 'alone' && (i !== 0 || n !== words.length)) continue;
      let ok = true;
      for (let j = 0; j < n && ok; j++) {
        const prefix = entry.match === 'prefix' && j === n - 1;
        ok = wordMatches(words[i + j] ?? '', entry.words[j] ?? '', prefix);
      }
      if (ok) hits.push({ entry, start: i });
    }
  }
  return hits;
}

// ---------------------------------------------------------------------------------------------
// Links

const HOST = String.raw`(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+`;
/** Not inside a word, an e-mail address or a longer host name. */
const START = String.raw`(?:^|[^a-z0-9@._-])`;
const URL_PATTERNS: readonly RegExp[] = [
  /\b(?:https?|hxxps?|ftp):\/\/\S/,
  new RegExp(String.raw`${START}www\d{0,3}\.[a-z0-9-]+\.[a-z]{2,}`),
  // host.tld/path: "bit.ly/x", "promo-colis.fr/suivi"
  new RegExp(String.raw`${START}${HOST}[a-z]{2,24}\/[^\s/]`),
  // A bare host name, only with top-level domains that are not also words glued after a full
  // stop ("super.top", "salut.ca").
  new RegExp(String.raw`${START}${HOST}(?:com|net|org|info|biz|xyz|ru|cn|io|ly|fr)(?![a-z0-9@-])`),
];

/** Does the text hold a link? Read on the text before word normalisation. */
export function containsUrl(text: string): boolean {
  const cleaned = cleanCharacters(text.slice(0, MAX_TEXT_LENGTH));
  return URL_PATTERNS.some((pattern) => pattern.test(cleaned));
}

// ---------------------------------------------------------------------------------------------
// "test" messages

const normalisedWords = (list: readonly string[]): Set<string> =>
  new Set(list.flatMap((w) => normaliseText(w).words));

/** Words that make a message a test. "testtest" collapses to "testest". */
const TEST_WORD = /^(?:test(?:est)*|tests|teste|testes|tester|testing|tst)$/;
/**
 * Besides test words: "essai". Greetings and questions ("Allô ?", "Ça répond ?", "C'est qui ?"),
 * and laughter, are not tests: they are what a man writes to a number he was just given.
 */
const TEST_WORDS = normalisedWords(['essai', 'essais', 'essaie']);
const ESSAI = 'essai';
/** Phrases that announce a test or name the line. */
const TEST_PHRASES: readonly { term: string; words: readonly string[] }[] = [
  'ça marche',
  'ça fonctionne',
  'vrai que ça répond',
  'vrai que ça marche',
  'anti relous',
  'anti relou',
  'nonmerci',
  'is this working',
  'does this work',
  'does it work',
  'is it working',
  'it works',
].map((term) => ({ term, words: normaliseText(term).words }));
/** Words that may surround a test word without making it a real message. */
const FILLER = normalisedWords([
  'ceci',
  'cela',
  'ça',
  "c'est",
  'cest',
  'est-ce',
  'est',
  'ce',
  'que',
  'un',
  'une',
  'juste',
  'petit',
  'petite',
  'simple',
  'nouveau',
  'nouvel',
  'encore',
  'premier',
  'le',
  'la',
  'du',
  'de',
  'pour',
  'voir',
  'bien',
  'ou',
  'pas',
  'je',
  "j'",
  'vrai',
  'vraiment',
  'si',
  'il',
  'message',
  'msg',
  'sms',
  'numéro',
  'numero',
  'num',
  'hello',
  'bonjour',
  'bonsoir',
  'salut',
  'coucou',
  'hey',
  'hi',
  'yo',
  'ok',
  'oui',
  'yes',
  'this',
  'is',
  'a',
  'an',
  'just',
  'only',
  'another',
  'again',
  'for',
  'number',
  'one',
  'two',
  'three',
  'deux',
  'trois',
  'i',
  "i'm",
  'am',
]);
const DIGITS = /^[0-9]+$/;

/**
 * A test message is made only of test words or phrases, filler words, numbers, and words the
 * lexicon already matched ("test connasse" is a test and an insult). Returns the test word found.
 */
function detectTest(words: readonly string[], covered: readonly boolean[]): string | null {
  const used = [...covered];
  let found: string | null = null;
  for (const phrase of TEST_PHRASES) {
    let from = 0;
    for (;;) {
      const at = findPhrase(words.slice(from), phrase.words);
      if (at < 0) break;
      for (let k = 0; k < phrase.words.length; k++) used[from + at + k] = true;
      found ??= phrase.term;
      from += at + phrase.words.length;
    }
  }
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (TEST_WORD.test(word)) {
      found ??= 'test';
      used[i] = true;
    } else if (TEST_WORDS.has(word)) {
      found ??= ESSAI;
      used[i] = true;
    } else if (FILLER.has(word) || DIGITS.test(word)) {
      used[i] = true;
    }
  }
  return found !== null && used.every(Boolean) ? found : null;
}

// ---------------------------------------------------------------------------------------------
// Laughter

/** A laughing word once normalised (double letters collapse: "mdrrr" → "mdr", "issou" → "isou"). */
const LAUGH_WORD =
  /^(?:a?(?:h[aeiou]){2,}h?|(?:a?h){2,}|lol(?:ol)*|lolilol|mdr|ptdr|xptdr|xd|lmao|lmfao|rofl|kek|jp|isou)$/;
const LAUGH_EMOJI = /[\u{1F602}\u{1F923}\u{1F606}\u{1F639}\u{1F605}]/u;
const ONLY_EMOJI_AND_PUNCTUATION = /^[\p{Extended_Pictographic}\u{FE0F}\u{200D}\s!?.…]+$/u;

/** The text is nothing but laughter: words like "mdr" or "haha", or laughing emoji. */
function isLaughter(raw: string, words: readonly string[]): string | null {
  if (words.length > 0) return words.every((w) => LAUGH_WORD.test(w)) ? words[0]! : null;
  const text = raw.trim();
  return text !== '' && ONLY_EMOJI_AND_PUNCTUATION.test(text) && LAUGH_EMOJI.test(text)
    ? 'emoji'
    : null;
}

// ---------------------------------------------------------------------------------------------

/** A classifier backed by a lexicon (the default one: nonmerci's French and English lexicon). */
export function createLexiconClassifier(lexicon: Lexicon = DEFAULT_LEXICON): TextClassifier {
  const index = compile(lexicon);
  return {
    name: 'lexicon-fr-en',
    classify(text: string): TextClassification {
      const input = text.slice(0, MAX_TEXT_LENGTH);
      const found = new Map<string, { label: TextLabel; term: string }>();
      const add = (label: TextLabel, term: string): void => {
        const key = `${label}|${term}`;
        if (!found.has(key)) found.set(key, { label, term });
      };
      if (containsUrl(input)) add('spam', 'url');
      let testTerm: string | null = null;
      for (const view of normaliseVariants(input)) {
        const covered = view.words.map(() => false);
        for (const { entry, start } of findHits(index, view.words)) {
          add(entry.label, entry.term);
          for (let k = 0; k < entry.words.length; k++) covered[start + k] = true;
        }
        testTerm ??= detectTest(view.words, covered);
      }
      if (testTerm !== null) add('test', testTerm);
      const laugh = isLaughter(input, normaliseText(input).words);
      if (laugh !== null) add('mockery', laugh);
      const order = (label: TextLabel): number => TEXT_LABELS.indexOf(label);
      const matches = [...found.values()].sort((a, b) => order(a.label) - order(b.label));
      const labels = TEXT_LABELS.filter((label) => matches.some((m) => m.label === label));
      return { labels, matches };
    },
  };
}

export const lexiconClassifier: TextClassifier = createLexiconClassifier();

/** Texts longer than this are classified every time (they are rarely sent twice). */
const REMEMBERED_TEXT_LENGTH = 480;

/**
 * Remembers what `inner` (which must give the same answer for the same text) said of the last
 * `size` distinct short texts: a raid sends the same few texts thousands of times, from bots or by
 * copy and paste, and reading one costs tens of microseconds. The answers are frozen, as they are
 * shared.
 */
export function rememberingClassifier(inner: TextClassifier, size = 1_000): TextClassifier {
  const seen = new Map<string, TextClassification>();
  return {
    name: inner.name,
    classify(text: string): TextClassification {
      if (text.length > REMEMBERED_TEXT_LENGTH) return inner.classify(text);
      let known = seen.get(text);
      if (known) return known;
      const found = inner.classify(text);
      known = Object.freeze({
        labels: Object.freeze([...found.labels]) as TextLabel[],
        matches: Object.freeze(
          found.matches.map((m) => Object.freeze({ ...m })),
        ) as TextClassification['matches'],
      });
      if (seen.size >= size) seen.delete(seen.keys().next().value!);
      seen.set(text, known);
      return known;
    },
  };
}
