/**
 * Word and phrase comparison between normalised forms (see normalise.ts), shared by the lexicon
 * classifier and operator keyword rules.
 *
 * A normalised word may hold `*` inside it: a letter hidden by the sender ("f*ck", "enc*lé"). It
 * stands for one or two letters. A word with a wildcard only matches if it has at least two real
 * letters, and at most four wildcards (to keep matching cheap on hostile input).
 */

const MAX_WILDCARDS = 4;

/**
 * Does `word` match `term`? With `prefix`, `term` is a stem and `word` may continue it. Either side
 * may hold wildcards (a text word "p*te", or an operator keyword "f*ck"); when both do, they must be
 * equal.
 */
export function wordMatches(word: string, term: string, prefix = false): boolean {
  const wordGlob = word.includes('*');
  const termGlob = term.includes('*');
  if (wordGlob === termGlob) return prefix ? word.startsWith(term) : word === term;
  if (wordGlob) return globMatch(word, term, prefix);
  // The term is the pattern; a stem pattern may be followed by anything in the word.
  return globMatch(term, word, false, prefix);
}

/** Does `phrase` occur as consecutive whole words of `words`? Returns the first index or -1. */
export function findPhrase(words: readonly string[], phrase: readonly string[]): number {
  if (phrase.length === 0) return -1;
  for (let i = 0; i + phrase.length <= words.length; i++) {
    let ok = true;
    for (let j = 0; j < phrase.length && ok; j++) {
      ok = wordMatches(words[i + j] ?? '', phrase[j] ?? '');
    }
    if (ok) return i;
  }
  return -1;
}

/**
 * Matches `pattern` (with `*` = one or two letters) against `literal`. With `literalIsStem`, the
 * pattern may go on after the literal ends; with `patternIsStem`, the literal may go on after the
 * pattern ends.
 */
export function globMatch(
  pattern: string,
  literal: string,
  literalIsStem = false,
  patternIsStem = false,
): boolean {
  const wildcards = pattern.split('*').length - 1;
  if (wildcards > MAX_WILDCARDS || pattern.length - wildcards < 2) return false;
  const go = (p: number, l: number): boolean => {
    if (literalIsStem && l === literal.length && l > 0) return true;
    if (p === pattern.length) return patternIsStem || l === literal.length;
    const char = pattern.charAt(p);
    if (char === '*') {
      return (
        (l + 1 <= literal.length && go(p + 1, l + 1)) ||
        (l + 2 <= literal.length && go(p + 1, l + 2))
      );
    }
    return l < literal.length && literal.charAt(l) === char && go(p + 1, l + 1);
  };
  return go(0, 0);
}
