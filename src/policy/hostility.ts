/**
 * Hostility of one caller, judged when their reply falls due with everything the delay revealed.
 * Pure: the same history always gives the same verdict.
 *
 * Two regimes. On a **calm** line, insults, swearing, threats and a man calling back again and
 * again are what the line is for: the man who was given the number is often angry, and the consent
 * SMS is written for him. There the verdict is never hostile; its score only orders replies (the
 * least hostile first) when the budget is short. **Under pressure** (the line's shield was on at
 * some moment since the caller first got in touch: a raid) the signals decide: an abusive text,
 * coming back again and again, a bot's rhythm or a hammered number range withhold the reply.
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
  /** The line's shield is on now. */
  shieldActive: boolean;
  /** The shield was on at some moment between the scheduling contact and now. */
  shieldDuringDelay: boolean;
}

export interface HostilitySettings {
  /** Contacts after the scheduling one that make a caller hostile under pressure. */
  repeatLimit: number;
}

/** Calm: hostility orders replies and decides nothing. Pressure: hostility decides. */
export type Regime = 'calm' | 'pressure';

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
  regime: Regime;
}

export interface HostilityVerdict {
  /** Lower is served first. */
  score: number;
  /** Withhold the reply: only ever true under pressure. */
  hostile: boolean;
  regime: Regime;
  signals: HostilitySignals;
  /** Plain-language reasons, most decisive first. */
  why: string[];
}

/** Labels that make a caller hostile on their own, under pressure. */
export const HOSTILE_LABELS = ['insult', 'threat', 'sexual', 'spam'] as const;
/** Weight of one abusive label, of reaching the repeat limit, of a bot's rhythm. */
export const HOSTILE_SCORE = 100;
/** Under pressure, a score at or above this withholds the reply. */
export const PRESSURE_THRESHOLD = HOSTILE_SCORE / 2;
/**
 * Contacts within one minute that only a script makes. A man redialling a number that does not
 * answer calls three or four times in a minute; a raid tool keeps going every few seconds.
 */
export const BURST_LIMIT = 5;
export const BURST_WINDOW_MS = 60_000;
/**
 * Weight of texts that are only laughter ("mdr", "ptdr", "😂"): a raid's bland filler. Enough to
 * withhold a reply under pressure, as a curious test would be; on a calm line, nothing.
 */
export const MOCKERY_SCORE = HOSTILE_SCORE / 2;
/** Distinct callers from one range of 100 numbers that make the range look hammered. */
export const RANGE_LIMIT = 5;
/** Weight of arriving during a raid: it orders the paced spend, never makes one hostile. */
export const ARRIVED_DURING_SHIELD = 5;

/** Which regime a reply is judged in. */
export function regimeOf(
  input: Pick<HostilityInput, 'shieldActive' | 'arrivedDuringShield' | 'shieldDuringDelay'>,
): Regime {
  // A reply scheduled during a raid, or whose delay a raid overlapped, keeps the raid's judgement
  // even if the shield is off again when it falls due: a raid shorter than the delay would
  // otherwise escape it.
  return input.shieldActive || input.arrivedDuringShield || input.shieldDuringDelay
    ? 'pressure'
    : 'calm';
}

export function assessHostility(
  input: HostilityInput,
  settings: HostilitySettings,
): HostilityVerdict {
  const regime = regimeOf(input);
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
    regime,
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
  const laughs = labels['mockery'] ?? 0;
  if (laughs > 0) {
    score += MOCKERY_SCORE;
    why.push(`${laughs} text${laughs > 1 ? 's' : ''} of bare laughter`);
  }
  if (repeats >= settings.repeatLimit) {
    score += HOSTILE_SCORE;
    why.push(`came back ${repeats} times before the reply was sent`);
  } else if (repeats > 0) {
    // Coming back once or twice is what a worried man might do: it only lowers his place in line.
    score += repeats * 10;
    why.push(`came back ${repeats} time${repeats > 1 ? 's' : ''}`);
  }
  if (
    regime === 'pressure' &&
    input.arrivedDuringShield &&
    repeats >= 2 &&
    repeats < settings.repeatLimit
  ) {
    // A newcomer of the raid who keeps coming back before his reply is due behaves as the raid's
    // members do (the slow-raid detector counts him as a hostile newcomer); a man who was given
    // the number before the raid keeps the usual limit.
    score += HOSTILE_SCORE / 2;
    why.push(`came back ${repeats} times during a raid`);
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
    // Most of a raid's newcomers are raiders: a small weight that only orders the paced spend.
    score += ARRIVED_DURING_SHIELD;
    why.push('first came during a raid');
  }
  const hostile = regime === 'pressure' && score >= PRESSURE_THRESHOLD;
  return { score, hostile, regime, signals, why };
}

/**
 * A curious tester: someone who read about the line and checks that it answers. Every contact
 * they made before the reply fell due is a text labelled "test". A man who also called, or texted
 * anything else, is not one, whatever his first text said.
 */
export function isCuriousTest(contacts: readonly PastContact[]): boolean {
  return contacts.length > 0 && contacts.every((c) => c.labels.includes('test'));
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
