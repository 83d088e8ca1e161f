/**
 * What the evidence code needs from storage: the journal's rows and heads, and the periods held.
 * Implemented by storage/evidence-repo.ts and storage/evidence-holds-repo.ts.
 */

import type { ShieldReason } from '../policy/shield-reason.ts';

/** Encrypts journal contents that hold personal data (the number vault does). */
export interface ContentSealer {
  encrypt(text: string): string;
  decrypt(stored: string): string;
}

/** A stored content, readable again: plain canonical JSON, or encrypted when it is personal. */
export function openContent(stored: string, sealer: ContentSealer): string {
  return stored.startsWith('{') ? stored : sealer.decrypt(stored);
}

export interface ChainHead {
  seq: number;
  hash: string;
  at: number;
}

export interface ChainRow {
  id: number;
  seq: number | null;
  at: number;
  kind: string;
  lineId: number | null;
  callerId: number | null;
  ref: string | null;
  content: string | null;
  contentHash: string;
  prevHash: string | null;
  entryHash: string | null;
  erasedAt: number | null;
}

export interface StoredHead {
  seq: number;
  entryHash: string;
  at: number;
  mac: string;
}

/** The chain's sequencer and reader. */
export interface JournalStore {
  seal(now: number, options?: { forceHead?: boolean }): Promise<number>;
  tail(): Promise<ChainHead>;
  chained(afterSeq: number, limit: number): Promise<ChainRow[]>;
  unchained(limit: number): Promise<ChainRow[]>;
  heads(): Promise<StoredHead[]>;
  /** Entries in [from, to), optionally of one line (plus operator entries, which have none). */
  between(from: number, to: number, lineId: number | null): Promise<ChainRow[]>;
  /** Stored (encrypted) numbers of callers still held, by caller id. */
  callerNumbers(ids: readonly number[]): Promise<Map<number, string>>;
}

/** Keeps a period as evidence; an export records itself this way (audited). */
export interface HoldStore {
  hold(h: {
    kind: 'flagged' | 'exported';
    from: number;
    to: number;
    lineId: number | null;
    note: string | null;
    actor: string;
    now: number;
    detail?: Record<string, unknown>;
  }): Promise<number>;
}

/** A shield period, as the report lists it. */
export interface ShieldPeriod {
  lineId: number;
  startedAt: number;
  endedAt: number | null;
  trigger: string;
  /** Why it went up and down (policy/shield-reason.ts), or the stored sentence for older periods. */
  reason: ShieldReason | null;
  endReason: ShieldReason | null;
  detail: string | null;
}
