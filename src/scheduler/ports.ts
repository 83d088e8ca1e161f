import type { Line, ReplyReason } from '../domain/types.ts';

/** A reply this worker holds the lease on. */
export interface ClaimedReply {
  id: number;
  lineId: number;
  callerId: number;
  dueAt: number;
  expiresAt: number;
  attempts: number;
  idempotencyKey: string;
  /** Set when a provider call may have happened: the reply must be reconciled before any resend. */
  providerAttemptedAt: number | null;
  /** Set when the provider acknowledged the message, by its answer or a status callback. */
  providerSid: string | null;
  deliveryStatus: string | null;
  provider: string | null;
  body: string | null;
  createdAt: number;
}

export interface ReplyContext {
  line: Line;
  callerNumberEnc: string;
  caller: { blocked: boolean; allowed: boolean; optedOut: boolean };
  alreadyRepliedWithinCooldown: boolean;
  /** The caller's contacts on this line since the reply was scheduled, oldest first. */
  contacts: { at: number; labels: string[]; body: string | null }[];
  /** Distinct callers of the caller's number range on this line in the last hour. */
  rangeCallers: number;
  /** The reply was scheduled while the line's shield was on. */
  arrivedDuringShield: boolean;
  /** The line's shield was on at some moment between the reply's scheduling and now. */
  shieldDuringDelay: boolean;
}

/** What a decision leaves on the reply for the operator and for the shield's ordering. */
export interface DecisionTrace {
  /** JSON of the hostility signals seen. */
  signals: string | null;
  /** Lower is served first by the shield. */
  priority: number;
}

export interface Reservation {
  costMicros: number;
  body: string;
  segments: number;
  encoding: string;
  provider: string;
  day: string;
  month: string;
  caps: { dailyMicros: number; monthlyMicros: number };
  /**
   * While the shield is on: the day's spend may not go above this paced ceiling (policy/pacing.ts),
   * checked in the same statement as the daily cap.
   */
  pace: { ceilingMicros: number } | null;
  now: number;
  /** The lease is renewed here, so the provider call that follows always runs inside a full lease. */
  leaseUntil: number;
  /** What the decision to send saw, kept with the reply (an angry man's insults included). */
  trace: DecisionTrace;
}

/** A reply kept scheduled until `until`, with why. */
export interface Hold {
  reason: ReplyReason;
  until: number;
  detail: string | null;
  now: number;
  trace?: DecisionTrace;
}

/** A reply closed without sending, with why. */
export interface Cancellation {
  reason: ReplyReason;
  detail: string;
  now: number;
  trace?: DecisionTrace;
}

/** Outcome of a reservation: done, or which cap (or the paced ceiling) it would have crossed. */
export type ReserveOutcome = 'reserved' | 'day' | 'month' | 'paced';

/**
 * The durable reply queue. Every write is guarded by the worker's lease: if another worker took the
 * reply over (lease expired), the write changes nothing and a LeaseLostError is thrown.
 */
export interface ReplyStore {
  claimDue(now: number, limit: number, worker: string, leaseMs: number): Promise<ClaimedReply[]>;
  context(reply: ClaimedReply, now: number): Promise<ReplyContext | null>;
  hold(id: number, worker: string, h: Hold): Promise<void>;
  cancel(id: number, worker: string, c: Cancellation): Promise<void>;
  /**
   * What the replies of the line held by the pacing and ahead of this one (lower priority, or the
   * same and due earlier) would reserve.
   */
  pacedAheadMicros(
    lineId: number,
    reply: { id: number; priority: number; dueAt: number },
    costMicros: number,
  ): Promise<number>;
  /** Atomically reserves the cost against both caps and marks the provider call as about to happen. */
  reserve(id: number, worker: string, r: Reservation): Promise<ReserveOutcome>;
  markSent(
    id: number,
    worker: string,
    s: { sid: string; status: string; now: number },
  ): Promise<void>;
  /**
   * A provider error worth retrying at `until`. When the provider may have sent the message, the
   * reservation and the attempt mark stay (the next claim reconciles first); when it surely did
   * not (`released`), both go.
   */
  retryLater(
    id: number,
    worker: string,
    r: { until: number; errorCode: string | null; detail: string; now: number; released: boolean },
  ): Promise<void>;
  /** A final failure: releases the reservation. */
  fail(
    id: number,
    worker: string,
    f: { reason: ReplyReason; errorCode: string | null; detail: string; now: number },
  ): Promise<void>;
  /** Reconciliation found no message at the provider: forget the attempt and release its reservation. */
  clearAttempt(id: number, worker: string): Promise<void>;
}

export class LeaseLostError extends Error {
  constructor(replyId: number) {
    super(`reply ${replyId} is no longer held by this worker`);
  }
}
