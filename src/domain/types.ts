/** Plain types shared by every layer. Money is held in integer micro-units of the currency (1 € = 1,000,000). */

export type Language = 'fr' | 'en';
export const LANGUAGES: readonly Language[] = ['fr', 'en'];

export type ContactKind = 'call' | 'text';

/** A phone number the hotline answers, with everything that shapes its replies. */
export interface Line {
  id: number;
  number: string;
  provider: string;
  language: Language;
  voiceText: string;
  voiceAudioUrl: string | null;
  replyText: string;
  delayMs: number;
  cooldownMs: number;
  allowedCountries: string[];
  paused: boolean;
  /** While paused, refuse calls with a free <Reject/> instead of answering them. */
  rejectCallsWhenPaused: boolean;
  shield: LineShield;
}

/** auto: the surge detector switches the shield; on / off: the operator decided. */
export type ShieldMode = 'auto' | 'on' | 'off';
export const SHIELD_MODES: readonly ShieldMode[] = ['auto', 'on', 'off'];

export interface LineShield {
  mode: ShieldMode;
  active: boolean;
  since: number | null;
  lastSurgeAt: number | null;
}

/**
 * Why a reply was (or was not yet) sent. Final reasons close a reply; holding reasons keep it scheduled.
 * An operator reads these to answer "why did / didn't this number get a reply?".
 */
export type ReplyReason =
  | 'sent'
  | 'cooldown'
  | 'destination_not_allowed'
  | 'budget_exhausted'
  | 'paused'
  | 'blocked'
  | 'provider_rejected'
  | 'provider_retry'
  | 'provider_error'
  | 'expired'
  | 'hostile'
  | 'opted_out'
  | 'keyword_rule'
  | 'test_message'
  /** Held while the shield paces the day's budget (policy/pacing.ts). */
  | 'paced'
  /** Held by the shield's hourly slice of earlier versions; only in old rows. */
  | 'shield';

/** What the intake did with one contact. */
export type ContactOutcome = 'reply_scheduled' | 'cooldown' | 'opted_out';

/**
 * Who marks a contact as evidence when nonmerci does it by itself: a text labelled threat is marked
 * on arrival, so that it is kept and shows among the marked contacts. An admin who releases the
 * caller releases these marks too; an operator's own marks stay.
 */
export const THREAT_MARKED_BY = 'nonmerci (threat)';

export const MICROS = 1_000_000;

/** Formats micro-units for people: 160000 → "0.16". */
export function formatMoney(micros: number, currency: string): string {
  return `${(micros / MICROS).toFixed(2)} ${currency}`;
}

/**
 * Money as a reader of `language` writes it: "4,80 €" in French, "€4.80" in English; `digits`
 * more decimals for prices per segment ("0,0795 €").
 */
export function formatMoneyIn(
  micros: number,
  currency: string,
  language: Language,
  digits = 2,
): string {
  try {
    return new Intl.NumberFormat(language === 'fr' ? 'fr-FR' : 'en-GB', {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: Math.max(2, digits),
    }).format(micros / MICROS);
  } catch {
    // Not an ISO 4217 code: the amount and the code as written in the settings.
    return formatMoney(micros, currency);
  }
}
