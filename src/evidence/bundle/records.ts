import { isoLocal, isoUtc } from './times.ts';
import type { BundleEvent, EvidenceKind } from './types.ts';

/**
 * One event with its times written out, in the exact values events.jsonl holds. events.csv is
 * derived from the same record, so the two files cannot drift apart.
 */
export interface EventRecord {
  seq: number | null;
  entryHash: string | null;
  contentHash: string;
  timeUtc: string;
  timeLocal: string;
  kind: EvidenceKind;
  line: string | null;
  caller: string | null;
  text: string | null;
  labels: string[];
  decision: string | null;
  reason: string | null;
  actor: string | null;
  costMicros: number | null;
  content: string | null;
}

/** The record of one event, local time in `timeZone`. Keys are in the order the files show them. */
export function eventRecord(event: BundleEvent, timeZone: string): EventRecord {
  return {
    seq: event.seq,
    entryHash: event.entryHash,
    contentHash: event.contentHash,
    timeUtc: isoUtc(event.at),
    timeLocal: isoLocal(event.at, timeZone),
    kind: event.kind,
    line: event.line,
    caller: event.caller,
    text: event.text,
    labels: [...event.labels],
    decision: event.decision,
    reason: event.reason,
    actor: event.actor,
    costMicros: event.costMicros,
    content: event.content,
  };
}
