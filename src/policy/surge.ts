import type { LineShield } from '../domain/types.ts';
import type { ShieldReason } from './shield-reason.ts';

/**
 * Surge detection and shield transitions for one line. Pure: the monitor measures traffic and
 * stores the result; this decides. Two detectors:
 * - **fast**: a minute is a surge when its contacts or its new callers reach the threshold;
 * - **slow**: a window (30 minutes by default) is a surge when its hostile newcomers (first-time
 *   callers who insulted, threatened, harassed or spammed, or came back again and again) reach the
 *   threshold: a raid whose members pace themselves stays under any per-minute threshold, but not
 *   under this one.
 * Each threshold is the usual traffic times a factor, and never less than an absolute floor (which
 * alone applies to a new line with no history). The floor of the slow detector sits above what a
 * calm day of angry men brings (two or three insulting newcomers an hour). The shield leaves after
 * a quiet period without a surge; while it is on, half of each threshold keeps it on, so a raid
 * that slows down a little does not make the shield flicker.
 */

export interface SurgeSettings {
  surgeContactsPerMinute: number;
  surgeNewCallersPerMinute: number;
  surgeFactor: number;
  quietMs: number;
  slowWindowMs: number;
  slowNewcomers: number;
}

/** Traffic of the last minute, and hostile newcomers over the slow window. */
export interface TrafficSample {
  contacts: number;
  newCallers: number;
  hostileNewcomers: number;
}

/** Usual traffic per minute, shield periods left out. */
export interface Baseline {
  contactsPerMinute: number;
  newCallersPerMinute: number;
  hostileNewcomersPerMinute: number;
}

export interface Thresholds {
  contacts: number;
  newCallers: number;
  /** Over the slow window. */
  hostileNewcomers: number;
}

export type ShieldEvaluation = {
  active: boolean;
  lastSurgeAt: number | null;
  surge: boolean;
  thresholds: Thresholds;
  /** Set when the shield changes state; says why, with the figures. */
  transition: { to: 'on' | 'off'; reason: ShieldReason } | null;
};

const MINUTE = 60_000;

export function surgeThresholds(baseline: Baseline, settings: SurgeSettings): Thresholds {
  const windowMinutes = settings.slowWindowMs / MINUTE;
  return {
    contacts: Math.max(
      settings.surgeContactsPerMinute,
      Math.ceil(baseline.contactsPerMinute * settings.surgeFactor),
    ),
    newCallers: Math.max(
      settings.surgeNewCallersPerMinute,
      Math.ceil(baseline.newCallersPerMinute * settings.surgeFactor),
    ),
    hostileNewcomers: Math.max(
      settings.slowNewcomers,
      Math.ceil(baseline.hostileNewcomersPerMinute * windowMinutes * settings.surgeFactor),
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
  const over = (count: number, threshold: number) => count >= Math.ceil(threshold * scale);
  const overContacts = over(sample.contacts, thresholds.contacts);
  const overNew = over(sample.newCallers, thresholds.newCallers);
  const overSlow = over(sample.hostileNewcomers, thresholds.hostileNewcomers);
  const surge = overContacts || overNew || overSlow;
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
          : { to: active ? 'on' : 'off', reason: { detector: 'operator', to: shield.mode } },
    };
  }
  if (!shield.active && surge) {
    const windowMinutes = settings.slowWindowMs / MINUTE;
    const reason: ShieldReason = overContacts
      ? {
          detector: 'contacts',
          count: sample.contacts,
          threshold: thresholds.contacts,
          usual: baseline.contactsPerMinute,
          windowMs: MINUTE,
        }
      : overNew
        ? {
            detector: 'new_callers',
            count: sample.newCallers,
            threshold: thresholds.newCallers,
            usual: baseline.newCallersPerMinute,
            windowMs: MINUTE,
          }
        : {
            detector: 'hostile_newcomers',
            count: sample.hostileNewcomers,
            threshold: thresholds.hostileNewcomers,
            usual: baseline.hostileNewcomersPerMinute * windowMinutes,
            windowMs: settings.slowWindowMs,
          };
    return { ...base, active: true, transition: { to: 'on', reason } };
  }
  if (shield.active && !surge) {
    const quietSince = shield.lastSurgeAt ?? shield.since ?? now;
    if (now - quietSince >= settings.quietMs) {
      return {
        ...base,
        active: false,
        transition: {
          to: 'off',
          reason: {
            detector: 'quiet',
            quietMs: settings.quietMs,
            contacts: sample.contacts,
            contactsThreshold: Math.ceil(thresholds.contacts * scale),
            hostileNewcomers: sample.hostileNewcomers,
            hostileNewcomersThreshold: Math.ceil(thresholds.hostileNewcomers * scale),
            windowMs: settings.slowWindowMs,
          },
        },
      };
    }
  }
  return { ...base, active: shield.active, transition: null };
}
