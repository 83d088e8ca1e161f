import type { NumberVault } from '../../privacy/number-vault.ts';

/**
 * A caller as every screen shows him: his number masked ("+3361****78") beside his nickname
 * ("Jaguar-07"); a withheld number has neither.
 */
export function shownCaller(
  vault: NumberVault,
  numberType: string,
  stored: string,
): { caller: string; nickname: string | null } {
  if (numberType === 'withheld') return { caller: 'withheld', nickname: null };
  const { masked, nickname } = vault.shown(stored);
  return { caller: masked, nickname };
}
