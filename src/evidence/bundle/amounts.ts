import { MICROS } from '../../domain/types.ts';

/**
 * Micro-units as a plain decimal in currency units, keeping every significant digit up to the micro:
 * 80000 → "0.0800", 79123 → "0.079123", 1600000 → "1.6000". At least four decimals because providers
 * price SMS segments to the tenth of a cent, and a column that jumps between "0.08" and "0.0791"
 * reads as an error.
 */
export function microsToDecimal(micros: number): string {
  if (!Number.isSafeInteger(micros))
    throw new RangeError(`not a whole number of micros: ${micros}`);
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const units = Math.floor(abs / MICROS);
  const fraction = String(abs % MICROS)
    .padStart(6, '0')
    .replace(/0{1,2}$/, '');
  return `${sign}${units}.${fraction}`;
}
