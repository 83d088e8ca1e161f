import type { LoggedEvent } from '../intake/log.ts';
import type { ContactKind, ContactOutcome, Line } from '../domain/types.ts';

/** A contact as the intake stores it: the caller's number already encrypted and indexed. */
export interface NewContact {
  lineId: number;
  kind: ContactKind;
  provider: string;
  providerSid: string;
  receivedAt: number;
  body: string | null;
  /** Classifier labels of a text, comma-separated, or null. */
  labels: string | null;
  /** The text asks never to be texted again (STOP). */
  optOut: boolean;
  /** Marks the contact as evidence on arrival, by this actor (a threat); null otherwise. */
  evidenceMark: string | null;
  caller: {
    /** The number in clear (E.164 or "withheld"), for the evidence journal, which encrypts it. */
    number: string;
    index: string;
    enc: string;
    type: string;
    country: string | null;
    /** Blind index of the number's range (all but the last two digits); null when withheld. */
    prefixIndex: string | null;
  };
  /** The reply to schedule if this caller has none on this line since `cooldownSince`. */
  reply: { dueAt: number; expiresAt: number; cooldownSince: number; idempotencyKey: string };
}

export interface IntakeResult {
  /** The provider already delivered this webhook (same CallSid / MessageSid): nothing was added. */
  duplicate: boolean;
  contactId: number;
  callerId: number;
  outcome: ContactOutcome;
  replyId: number | null;
  callerBlocked: boolean;
}

/** How to answer a call: a blocked caller, or a repeat caller while the shield is on, is refused. */
export interface CallerStanding {
  blocked: boolean;
  repeat: boolean;
}

/** An event of the intake log and what recording it gave. */
export interface ProcessedEvent {
  event: LoggedEvent;
  contact: NewContact;
  result: IntakeResult;
}

export interface ProcessedBatch {
  done: ProcessedEvent[];
  /** Events that could not be recorded this time; they stay in the log and are tried again. */
  failed: Array<{ event: LoggedEvent; error: unknown }>;
}

/**
 * Storage the processor needs: claims the oldest events of the intake log, records each (contact,
 * caller, reply, evidence) and removes them, all in one transaction.
 */
export interface IntakeStore {
  processBatch(limit: number, prepare: (event: LoggedEvent) => NewContact): Promise<ProcessedBatch>;
  /** What recording a provider's message gave, once it is recorded; null before. */
  lookup(provider: string, providerSid: string): Promise<IntakeResult | null>;
}

export interface LineStore {
  findByNumber(number: string): Promise<Line | null>;
  findById(id: number): Promise<Line | null>;
  list(): Promise<Line[]>;
  /** Creates or updates a line by number; returns the stored line. */
  upsert(line: Omit<Line, 'id' | 'shield'>, now: number): Promise<Line>;
  /**
   * Pauses or resumes a line. While paused, calls hear a short "service paused" message, or get a
   * free <Reject/> when `rejectCalls` is set. On resume, held replies become due at once.
   */
  setPaused(
    lineId: number,
    paused: boolean,
    now: number,
    options: { rejectCalls?: boolean; actor: string },
  ): Promise<void>;
}
