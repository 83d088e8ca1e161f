/**
 * Hostility of one caller, judged when their reply falls due with everything the delay revealed.
 * Pure: the same history always gives the same verdict. The score also orders the shield's
 * rationed spend: the least hostile callers are served first.
 */

/** One contact of the caller on the line, as the decision sees it. */
export interface PastContact {
  at: number;
  /** Classifier labels of a text (insult, threat, sexual, spam, test); empty for calls. */
  labels: readonly string[];
}

export interface HostilityInput {
  now: number;
  /** When the contact that scheduled this reply arrived. */
  scheduledAt: number;
  /** The caller's contacts on this line from `scheduledAt` on, oldest first. */
  contacts: readonly PastContact[];
  /** Distinct callers from the caller's number range (all but the last digits) seen lately. */
  rangeCallers: number;
  /** The contact that scheduled the reply came while the line's shield was on (during a raid). */
  arrivedDuringShield: boolean;
  shieldActive: boolean;
}

export interface HostilitySettings {
  /** Contacts after the scheduling one that make a caller hostile. */
  repeatLimit: number;
}

/** What was measured, stored with the decision so an operator can see why. */
export interface HostilitySignals {
  /** Contacts after the one that scheduled the reply. */
  repeats: number;
  /** Most contacts within any 60 seconds (a bot's rhythm). */
  burst: number;
  /** Texts per classifier label. */
  labels: Record<string, number>;
  rangeCallers: number;
  arrivedDuringShield: boolean;
}

export interface HostilityVerdict {
  score: number;
  hostile: boolean;
  signals: HostilitySignals;
  /** Plain-language reasons, most decisive first. */
  why: string[];
}

/** Labels that make a caller hostile on their own. */
export const HOSTILE_LABELS = ['insult', 'threat', 'sexual', 'spam'] as const;
/** A score at or above this is hostile; while the shield is on, half of it is. */
export const HOSTILE_SCORE = 100;
/** Contacts within one minute that look like a bot or a raid tool. */
export const BURST_LIMIT = 3;
export const BURST_WINDOW_MS = 60_000;
/** Distinct callers from one range of 100 numbers that make the range look hammered. */
export const RANGE_LIMIT = 5;
/** Weight of arriving during a raid: it orders the shield's rationing, never makes one hostile. */
export const ARRIVED_DURING_SHIELD = 5;

export function assessHostility(
  input: HostilityInput,
  settings: HostilitySettings,
): HostilityVerdict {
  const labels: Record<string, number> = {};
  for (const c of input.contacts) for (const l of c.labels) labels[l] = (labels[l] ?? 0) + 1;
  // Every contact from the scheduling one on, less that one (several may share its millisecond).
  const repeats = Math.max(0, input.contacts.filter((c) => c.at >= input.scheduledAt).length - 1);
  const burst = maxWithin(
    input.contacts.map((c) => c.at),
    BURST_WINDOW_MS,
  );
  const signals: HostilitySignals = {
    repeats,
    burst,
    labels,
    rangeCallers: input.rangeCallers,
    arrivedDuringShield: input.arrivedDuringShield,
  };

  let score = 0;
  const why: string[] = [];
  for (const label of HOSTILE_LABELS) {
    const n = labels[label] ?? 0;
    if (n > 0) {
      score += HOSTILE_SCORE;
      why.push(`${n} text${n > 1 ? 's' : ''} classified ${label}`);
    }
  }
  if (repeats >= settings.repeatLimit) {
    score += HOSTILE_SCORE;
    why.push(`came back ${repeats} times before the reply was sent`);
  } else if (repeats > 0) {
    // Coming back once or twice is what a worried man might do: it only lowers his place in line.
    score += repeats * 10;
    why.push(`came back ${repeats} time${repeats > 1 ? 's' : ''}`);
  }
  if (burst >= BURST_LIMIT) {
    score += HOSTILE_SCORE;
    why.push(`${burst} contacts within one minute`);
  }
  if (input.rangeCallers >= RANGE_LIMIT) {
    score += HOSTILE_SCORE / 2;
    why.push(`${input.rangeCallers} callers from the same number range`);
  }
  if (input.arrivedDuringShield) {
    // Most of a raid's newcomers are raiders: a small weight that only orders the rationed spend.
    score += ARRIVED_DURING_SHIELD;
    why.push('first came during a raid');
  }
  // A reply scheduled during a raid is judged with the raid's strictness, even if the shield is
  // off again when it falls due (a raid shorter than the delay would otherwise escape it).
  const strict = input.shieldActive || input.arrivedDuringShield;
  const threshold = strict ? HOSTILE_SCORE / 2 : HOSTILE_SCORE;
  return { score, hostile: score >= threshold, signals, why };
}

/** Largest number of sorted-or-not timestamps falling within any window of `windowMs`. */
export function maxWithin(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
