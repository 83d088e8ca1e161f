/**
 * Operator keyword rules ("no reply to texts containing X"), normalised like everything else so a
 * rule for "test" also catches "TeSt !!", "t3st" and "t e s t", but not "attestation".
 */
import { findPhrase } from './match.ts';
import { normaliseText, normaliseVariants } from './normalise.ts';

/**
 * The stored form of a keyword pattern: its normalised words joined by single spaces. A `*` inside
 * a word stands for one or two hidden letters ("f*ck"). Throws if nothing is left to match.
 */
export function normaliseKeyword(pattern: string): string {
  const normalised = normaliseText(pattern).joined;
  if (normalised === '') {
    throw new Error(
      `keyword ${JSON.stringify(pattern)} is empty once normalised: it needs at least a letter or a digit`,
    );
  }
  return normalised;
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
