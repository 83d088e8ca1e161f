import type { ContactKind } from '../domain/types.ts';
import type { ScenarioTargets } from './scenario.ts';

/** Who a synthetic caller is in a replay; the pipeline never sees this, only the report does. */
export type SimRole = 'ordinary' | 'curious' | 'raider' | 'bot' | 'spoofed';

/** One inbound call or text of a replay, `at` milliseconds after the replay starts. */
export interface SimEvent {
  at: number;
  /** Caller id as the provider would send it: E.164, or a withheld value like "anonymous". */
  from: string;
  kind: ContactKind;
  /** Text of an SMS; null for calls. */
  body: string | null;
  role: SimRole;
  /** Stable id of the synthetic person (several events share it). */
  actor: string;
}

/** What happened to one scheduled reply, read back from storage after the replay. */
export interface SimReply {
  actor: string;
  role: SimRole;
  /** Type of the destination number (mobile, premium_rate, fixed_line, withheld, …). */
  destinationType: string;
  destinationCountry: string | null;
  /** When the contact that scheduled the reply arrived. */
  scheduledAt: number;
  dueAt: number;
  /** After this the reply is dropped (REPLY_EXPIRY). */
  expiresAt: number;
  /** When the SMS went out; null when it never did. */
  sentAt: number | null;
  /** Final (or last holding) reason: sent, hostile, cooldown, destination_not_allowed, … */
  reason: string;
  costMicros: number;
}

export interface SimShieldPeriod {
  from: number;
  /** Null when the shield was still on at the end of the replay. */
  to: number | null;
  trigger: string;
}

/** The deployment settings a replay ran with, shown in its report. */
export interface SimSettings {
  replyDelayMs: number;
  currency: string;
  segmentPriceMicros: number;
  /** Cost of one reply with the line's text (segments × price): what a naive autoresponder pays per contact. */
  replyCostMicros: number;
  dailyCapMicros: number;
  monthlyCapMicros: number;
  /** Countries whose mobiles may get a reply. */
  allowedCountries: readonly string[];
  /** How often the replay's worker looks for due replies (its clock's step). */
  pollMs: number;
  shield: Record<string, string>;
}

/** Everything a report needs, gathered by the replay driver (src/simulate/run.ts). */
export interface SimOutcome {
  scenario: { name: string; description: string };
  settings: SimSettings;
  /** What the replay must show (the scenario's targets). */
  targets: ScenarioTargets;
  /** Epoch ms of the replay's virtual start, and when it stopped (all replies settled). */
  start: number;
  end: number;
  /** Offset (ms from start) when the raid begins, from the scenario; null for a scenario with no raid. */
  raidStartsAt: number | null;
  events: SimEvent[];
  replies: SimReply[];
  shieldPeriods: SimShieldPeriod[];
  /** Spend committed per budget period ("day:2026-11-01" → micros) with its cap. */
  budget: { period: string; spentMicros: number; capMicros: number }[];
  /** Wall-clock milliseconds the replay took. */
  wallMs: number;
}
