import type { Language } from '../../domain/types.ts';
import type { ShieldReason } from '../../policy/shield-reason.ts';

/**
 * What an evidence bundle is made of. The export service reads these from the hash-chained journal
 * and the tables; the bundle code only lays them out as files, so it needs no database.
 */

/** Kinds of journal entry: a call or text received, a decision on a reply, the shield, an operator. */
export type EvidenceKind = 'call' | 'text' | 'reply' | 'shield' | 'operator';

/** One journal entry, decrypted, as it goes into events.csv and events.jsonl. */
export interface BundleEvent {
  /** Position in the hash chain (1, 2, 3…); null while not yet chained. */
  seq: number | null;
  /** SHA-256 (hex) linking this entry to the previous one; null while not yet chained. */
  entryHash: string | null;
  /** SHA-256 (hex) of `content`, exactly as stored. */
  contentHash: string;
  /** When it happened, epoch milliseconds. */
  at: number;
  kind: EvidenceKind;
  /** The hotline line concerned (E.164), if any. */
  line: string | null;
  /** The caller's number, decrypted (E.164), "withheld", or null when the entry concerns no caller. */
  caller: string | null;
  /** Text of an inbound SMS. */
  text: string | null;
  /** Classifier labels of a text: insult, threat, sexual, spam, test. */
  labels: string[];
  /**
   * What was decided: for a contact, its outcome (reply_scheduled, cooldown, opted_out…); for a
   * reply, its state (sent, cancelled, failed, held); for the shield, on or off; for an operator,
   * the action (line.pause, rule.block…).
   */
  decision: string | null;
  /** Why (shield_rationed, budget_exhausted, foreign_number…), when there is a reason. */
  reason: string | null;
  /** Who: the operator's name for operator actions, "shield" for automatic ones; null otherwise. */
  actor: string | null;
  /** Money spent by this entry (a sent reply), micro-units of the currency. */
  costMicros: number | null;
  /**
   * The canonical JSON that was hashed (contentHash = SHA-256 of these UTF-8 bytes), so anyone can
   * recompute the hash. Null when retention erased the content (only its hash is kept).
   */
  content: string | null;
}

export interface HourCount {
  /** Start of the hour, epoch milliseconds. */
  start: number;
  calls: number;
  texts: number;
  /** Replies actually sent in this hour. */
  replies: number;
}

export interface TopSender {
  /** Decrypted number (E.164) or "withheld". */
  number: string;
  calls: number;
  texts: number;
  /** Labels seen on this sender's texts, without repeats. */
  labels: string[];
  first: number;
  last: number;
}

export interface FlaggedText {
  at: number;
  number: string;
  line: string;
  text: string;
  labels: string[];
}

export interface ShieldSpan {
  line: string;
  start: number;
  /** Null when the shield was still up at the end of the export. */
  end: number | null;
  trigger: string;
  /** Why it went up and down, with the figures; null for periods stored before reasons were. */
  reason?: ShieldReason | null;
  endReason?: ShieldReason | null;
  /** The stored English sentence, shown when there is no reason. */
  detail?: string | null;
}

/** Who files the complaint: set once in the dashboard, printed at the top of the report. */
export interface Organisation {
  name: string;
  address: string;
  contact: string;
}

export interface BundleSummary {
  /** The organisation filing the complaint; null until an admin sets it. */
  organisation: Organisation | null;
  /** When the bundle was made, epoch milliseconds. */
  generatedAt: number;
  /** Operator who made it. */
  exportedBy: string;
  /** Period covered: [from, to), epoch milliseconds. */
  from: number;
  to: number;
  /** IANA time zone for local times (the deployment's TIMEZONE). */
  timeZone: string;
  /** Language of the report and the note (fr by default). */
  language: Language;
  currency: string;
  /** Lines covered (E.164); one when the export was for one line. */
  lines: string[];
  calls: number;
  texts: number;
  distinctSenders: number;
  /** Hour by hour over the period, including empty hours. */
  hours: HourCount[];
  /**
   * Minute by minute (HourCount's start is then a minute's) over the period when it lasts three
   * hours or less, else over its busiest three hours; empty when nothing arrived.
   */
  minutes: HourCount[];
  /** The senders with the most contacts, most first (at most 20). */
  topSenders: TopSender[];
  /** Number of texts per classifier label ({ insult: 412, threat: 9 }). */
  labelCounts: Record<string, number>;
  /** Texts labelled as threats, oldest first (at most 200 listed; threatsTotal counts all). */
  threats: FlaggedText[];
  threatsTotal: number;
  /** Texts the organisation chose to quote in clear (from the dashboard), oldest first. */
  quoted: FlaggedText[];
  money: {
    /** Spent on replies sent during the period. */
    spentMicros: number;
    /** Replies sent. */
    repliesSent: number;
    /** Price of one reply at the current tariff (segments × segment price). */
    replyPriceMicros: number;
    /** What answering every contact, as the 2017 hotline did, would have cost: contacts × reply price. */
    naiveMicros: number;
    /** naiveMicros − spentMicros, never below zero. */
    avoidedMicros: number;
    /** Replies not sent, by reason (cooldown, shield_rationed, foreign_number…). */
    withheldByReason: Record<string, number>;
  };
  shieldPeriods: ShieldSpan[];
  chain: {
    /** Entries in the whole chain when the bundle was made. */
    count: number;
    /** Hash of the latest chained entry (hex), and its position. */
    head: string;
    headSeq: number;
    /** What `nonmerci evidence verify` said when the bundle was made. */
    intact: boolean;
    /** Its message (the breaking entry, when not intact). */
    verdict: string;
  };
}

export interface BundleInput {
  events: BundleEvent[];
  summary: BundleSummary;
}
