import { parseJsonObject } from '../domain/json.ts';
import type { Language } from '../domain/types.ts';

/**
 * Why a line's shield switched on or off, with the figures that decided it: stored with the
 * shield period (as JSON) so that the dashboard, the alerts and the evidence bundle can each say
 * it in plain words, in their reader's language.
 */
export type ShieldReason =
  | {
      /** Fast detector: contacts in one minute. */
      detector: 'contacts' | 'new_callers' | 'hostile_newcomers';
      count: number;
      threshold: number;
      /** What the line usually gets over the same window (shield periods left out). */
      usual: number;
      windowMs: number;
    }
  | {
      /** No surge for the quiet period: the shield switched itself off. */
      detector: 'quiet';
      quietMs: number;
      contacts: number;
      contactsThreshold: number;
      hostileNewcomers: number;
      hostileNewcomersThreshold: number;
      windowMs: number;
    }
  | { detector: 'operator'; to: 'on' | 'off' | 'auto' };

/**
 * Reads a stored reason; null for a period stored before reasons were (its text detail stays), and
 * for anything that is not a complete reason this version knows.
 */
export function parseShieldReason(json: string | null): ShieldReason | null {
  const value = json ? parseJsonObject(json) : null;
  return value ? readShieldReason(value) : null;
}

/** A reason read back from a parsed value (an alert's payload); null unless complete. */
export function readShieldReason(value: unknown): ShieldReason | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const numbers = (...keys: string[]) =>
    keys.every((k) => typeof v[k] === 'number' && Number.isFinite(v[k]));
  switch (v.detector) {
    case 'contacts':
    case 'new_callers':
    case 'hostile_newcomers':
      return numbers('count', 'threshold', 'usual', 'windowMs') ? (v as ShieldReason) : null;
    case 'quiet':
      return numbers(
        'quietMs',
        'contacts',
        'contactsThreshold',
        'hostileNewcomers',
        'hostileNewcomersThreshold',
        'windowMs',
      )
        ? (v as ShieldReason)
        : null;
    case 'operator':
      return v.to === 'on' || v.to === 'off' || v.to === 'auto' ? (v as ShieldReason) : null;
    default:
      return null;
  }
}

const MINUTE = 60_000;

/** "30 minutes", "1 hour" / "1 h". */
function minutes(ms: number, language: Language): string {
  const m = Math.round(ms / MINUTE);
  if (m % 60 === 0 && m >= 60) {
    const h = m / 60;
    return language === 'fr' ? `${h} h` : `${h} hour${h > 1 ? 's' : ''}`;
  }
  // French keeps 0 and 1 singular; English only 1.
  const plural = language === 'fr' ? m > 1 : m !== 1;
  return `${m} minute${plural ? 's' : ''}`;
}

function number(n: number, language: Language): string {
  const rounded = n >= 10 ? Math.round(n) : Math.round(n * 10) / 10;
  return rounded.toLocaleString(language === 'fr' ? 'fr-FR' : 'en-GB');
}

/** One sentence, for people: which detector, what it counted, against what usual level. */
export function describeShieldReason(reason: ShieldReason, language: Language): string {
  const fr = language === 'fr';
  switch (reason.detector) {
    case 'contacts':
      return fr
        ? `Raid rapide : ${reason.count} contacts en une minute, contre ${number(reason.usual, 'fr')} d'habitude (seuil : ${reason.threshold}).`
        : `Fast raid: ${reason.count} contacts in one minute, against ${number(reason.usual, 'en')} usually (threshold ${reason.threshold}).`;
    case 'new_callers':
      return fr
        ? `Raid rapide : ${reason.count} numéros jamais vus en une minute, contre ${number(reason.usual, 'fr')} d'habitude (seuil : ${reason.threshold}).`
        : `Fast raid: ${reason.count} numbers never seen before in one minute, against ${number(reason.usual, 'en')} usually (threshold ${reason.threshold}).`;
    case 'hostile_newcomers':
      return fr
        ? `Raid lent : ${reason.count} nouveaux appelants hostiles en ${minutes(reason.windowMs, 'fr')} (insultes, menaces, harcèlement sexuel, publicité, ou rappels à répétition), contre ${number(reason.usual, 'fr')} d'habitude (seuil : ${reason.threshold}).`
        : `Slow raid: ${reason.count} hostile newcomers in ${minutes(reason.windowMs, 'en')} (first-time callers who insulted, threatened, harassed, spammed or kept calling back), against ${number(reason.usual, 'en')} usually (threshold ${reason.threshold}).`;
    case 'quiet':
      return fr
        ? `Calme revenu depuis ${minutes(reason.quietMs, 'fr')} : ${reason.contacts} contact${reason.contacts > 1 ? 's' : ''} dans la dernière minute (seuil ${reason.contactsThreshold}), ${reason.hostileNewcomers} ${reason.hostileNewcomers > 1 ? 'nouveaux appelants hostiles' : 'nouvel appelant hostile'} en ${minutes(reason.windowMs, 'fr')} (seuil ${reason.hostileNewcomersThreshold}).`
        : `Quiet for ${minutes(reason.quietMs, 'en')}: ${reason.contacts} contact${reason.contacts === 1 ? '' : 's'} in the last minute (threshold ${reason.contactsThreshold}), ${reason.hostileNewcomers} hostile newcomer${reason.hostileNewcomers === 1 ? '' : 's'} in ${minutes(reason.windowMs, 'en')} (threshold ${reason.hostileNewcomersThreshold}).`;
    case 'operator':
      if (reason.to === 'auto')
        return fr
          ? 'Une opératrice a rendu la main à la détection automatique.'
          : 'An operator gave control back to automatic detection.';
      return fr
        ? `Une opératrice l'a ${reason.to === 'on' ? 'activé' : 'désactivé'}.`
        : `Switched ${reason.to} by an operator.`;
  }
}
