/**
 * Operator keyword rules ("no reply to texts containing X"), normalised like everything else so a
 * rule for "test" also catches "TeSt !!", "t3st" and "t e s t", but not "attestation".
 */
import { InvalidInputError } from '../../domain/errors.ts';
import { findPhrase } from './match.ts';
import { normaliseText, normaliseVariants } from './normalise.ts';

/**
 * The stored form of a keyword pattern: its normalised words joined by single spaces. A `*` inside
 * a word stands for one or two hidden letters ("f*ck"). Throws InvalidInputError if nothing is left
 * to match ("!!", "...", an emoji): punctuation and symbols are not part of words.
 */
export function normaliseKeyword(pattern: string, field?: string): string {
  const normalised = normaliseText(pattern).joined;
  if (normalised === '') {
    throw new InvalidInputError(
      `The keyword ${JSON.stringify(pattern)} is empty once normalised: punctuation, symbols and emoji are ignored when texts are matched, so a keyword needs at least two letters or digits.`,
      field ? { field } : {},
    );
  }
  return normalised;
}

/**
 * An operator's keyword rule, as the dashboard and the command line add it: normalised, and at
 * least two letters or digits long (a one-letter keyword would catch nearly every text).
 */
export function keywordRule(pattern: string, field?: string): string {
  const value = normaliseKeyword(pattern, field);
  if (value.length < 2)
    throw new InvalidInputError(
      `The keyword ${JSON.stringify(pattern)} is too short: a keyword needs at least two letters or digits.`,
      field ? { field } : {},
    );
  return value;
}

/**
 * Does the text contain the keyword as whole words (a phrase keyword as consecutive words)? The
 * keyword is normalised again, which leaves a stored form unchanged and makes a raw one work.
 */
export function matchesKeyword(text: string, normalisedKeyword: string): boolean {
  const keyword = normaliseText(normalisedKeyword).words;
  if (keyword.length === 0) return false;
  return normaliseVariants(text.slice(0, 10_000)).some(
    (view) => findPhrase(view.words, keyword) >= 0,
  );
}
