import type { ClassifiedNumber } from '../domain/phone.ts';

export interface DestinationRules {
  allowedCountries: readonly string[];
  /** Only the simulator may text ARCEP's fiction numbers. */
  acceptsFictionNumbers: boolean;
}

export type DestinationVerdict = { allowed: true } | { allowed: false; why: string };

/**
 * Replies go only to mobile numbers of the line's allowed countries. Everything else (premium rate,
 * shared cost, toll free, landline, VoIP, satellite, short codes, withheld ids) is refused: this is
 * what closes the SMS-pumping hole, where attackers make a service text numbers that pay them.
 */
export function checkDestination(
  number: ClassifiedNumber,
  rules: DestinationRules,
): DestinationVerdict {
  if (number.type === 'withheld') return { allowed: false, why: 'caller id withheld' };
  if (number.type === 'invalid') return { allowed: false, why: 'not a valid phone number' };
  if (number.type === 'fiction' && !rules.acceptsFictionNumbers) {
    return { allowed: false, why: 'fiction number (ARCEP reserved range)' };
  }
  if (number.type !== 'mobile' && number.type !== 'fiction') {
    return { allowed: false, why: `number type ${number.type}` };
  }
  if (!number.country || !rules.allowedCountries.includes(number.country)) {
    return { allowed: false, why: `country ${number.country ?? 'unknown'} not allowed` };
  }
  return { allowed: true };
}
