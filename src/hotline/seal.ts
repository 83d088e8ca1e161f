import { InvalidInputError } from '../domain/errors.ts';
import { classifyNumber, toE164 } from '../domain/phone.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { SealedNumber } from '../storage/rules-repo.ts';
import { rangeIndex } from './intake.ts';

/** An operator's typed number, checked, indexed and encrypted for the per-number lists. */
export function sealNumber(vault: NumberVault, raw: string): SealedNumber {
  const e164 = toE164(raw, 'FR');
  const number = classifyNumber(e164 ?? raw);
  if (!e164 || number.type === 'invalid' || number.type === 'withheld')
    throw new InvalidInputError(
      `"${raw}" is not a phone number; write it in international format, e.g. +33612345678 (or a prefix with a final *).`,
    );
  return {
    number,
    index: vault.blindIndex(number.normalized),
    enc: vault.encrypt(number.normalized),
    prefixIndex: rangeIndex(vault, number.normalized),
  };
}
