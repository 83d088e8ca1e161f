import { InvalidInputError } from '../../domain/errors.ts';
import type { NumberVault } from '../../privacy/number-vault.ts';

/** Callers looked through in memory for a search by digits or nickname. */
export const SEARCH_SCAN = 50_000;

/**
 * What an operator typed in a search box, understood: digits (the end of a number, spaces and
 * dots allowed), or words, found in the texts and, when they look like one, the start of a
 * caller's nickname ("Renard", "renard-4").
 */
export type Search =
  { kind: 'digits'; digits: string } | { kind: 'words'; words: string; nickname: string | null };

export function parseSearch(raw: string | undefined): Search | null {
  const q = raw?.trim().replace(/\s+/g, ' ');
  if (!q) return null;
  if (q.length > 80) throw new InvalidInputError('The search is too long.', { field: 'q' });
  const digits = q.replace(/[\s.+-]/g, '');
  if (/^\d{2,15}$/.test(digits)) return { kind: 'digits', digits };
  const nickname = /^[A-Za-z]{2,}(-\d{0,2})?$/.test(q) ? q.toLowerCase() : null;
  return { kind: 'words', words: q, nickname };
}

/**
 * Whether a caller's number answers the search by its digits or his nickname (a withheld number
 * never does). Numbers are only stored encrypted, so callers are looked through in memory: 8
 * digits or more are read as a national or international number ("0612345678" finds
 * +33612345678), fewer as its last digits.
 */
export function callerMatches(
  vault: NumberVault,
  caller: { numberType: string; numberEnc: string },
  search: Search,
): boolean {
  if (caller.numberType === 'withheld') return false;
  const number = vault.decrypt(caller.numberEnc);
  if (search.kind === 'digits')
    return search.digits.length >= 8
      ? number.replace(/^\+/, '').endsWith(search.digits.replace(/^0/, ''))
      : number.endsWith(search.digits);
  return (
    search.nickname !== null && vault.nickname(number).toLowerCase().startsWith(search.nickname)
  );
}
