import type { LineShield } from '../domain/types.ts';

/**
 * Surge detection and shield transitions for one line. Pure: the monitor measures traffic and
 * stores the result; this decides. A minute is a surge when its contacts or its new callers reach
 * the threshold: the usual traffic times a factor, and never less than an absolute floor (which
 * alone applies to a new line with no history). The shield leaves after a quiet period without a
 * surge; while it is on, half the threshold keeps it on, so a raid that slows down a little does
 * not make the shield flicker.
 */

export interface SurgeSettings {
  surgeContactsPerMinute: number;
  surgeNewCallersPerMinute: number;
  surgeFactor: number;
  quietMs: number;
}

/** Traffic of the last minute. */
export interface TrafficSample {
  contacts: number;
  newCallers: number;
}

/** Usual traffic per minute, shield periods left out. */
export interface Baseline {
  contactsPerMinute: number;
  newCallersPerMinute: number;
}

export interface Thresholds {
  contacts: number;
  newCallers: number;
}

export type ShieldEvaluation = {
  active: boolean;
  lastSurgeAt: number | null;
  surge: boolean;
  thresholds: Thresholds;
  /** Set when the shield changes state; says why in plain words. */
  transition: { to: 'on' | 'off'; why: string } | null;
};

export function surgeThresholds(baseline: Baseline, settings: SurgeSettings): Thresholds {
  return {
    contacts: Math.max(
      settings.surgeContactsPerMinute,
      Math.ceil(baseline.contactsPerMinute * settings.surgeFactor),
    ),
    newCallers: Math.max(
      settings.surgeNewCallersPerMinute,
      Math.ceil(baseline.newCallersPerMinute * settings.surgeFactor),
    ),
  };
}

export function evaluateShield(
  now: number,
  shield: LineShield,
  sample: TrafficSample,
  baseline: Baseline,
  settings: SurgeSettings,
): ShieldEvaluation {
  const thresholds = surgeThresholds(baseline, settings);
  const scale = shield.active ? 0.5 : 1;
  const overContacts = sample.contacts >= Math.ceil(thresholds.contacts * scale);
  const overNew = sample.newCallers >= Math.ceil(thresholds.newCallers * scale);
  const surge = overContacts || overNew;
  const lastSurgeAt = surge ? now : shield.lastSurgeAt;
  const base = { lastSurgeAt, surge, thresholds };

  if (shield.mode === 'on' || shield.mode === 'off') {
    const active = shield.mode === 'on';
    return {
      ...base,
      active,
      transition:
        active === shield.active
          ? null
          : { to: active ? 'on' : 'off', why: `switched ${active ? 'on' : 'off'} by an operator` },
    };
  }
  if (!shield.active && surge) {
    const why = overContacts
      ? `${sample.contacts} contacts in one minute (threshold ${thresholds.contacts})`
      : `${sample.newCallers} new numbers in one minute (threshold ${thresholds.newCallers})`;
    return { ...base, active: true, transition: { to: 'on', why } };
  }
  if (shield.active && !surge) {
    const quietSince = shield.lastSurgeAt ?? shield.since ?? now;
    if (now - quietSince >= settings.quietMs) {
      return {
        ...base,
        active: false,
        transition: { to: 'off', why: 'no surge during the quiet period' },
      };
    }
  }
  return { ...base, active: shield.active, transition: null };
}
