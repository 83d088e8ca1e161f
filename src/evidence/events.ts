import type { ContactKind } from '../domain/types.ts';
import type { EvidenceKind } from './bundle/types.ts';

/**
 * One fact for the evidence journal, built where it happens and appended in the same transaction
 * as the change it records. `content` is what gets hashed (as canonical JSON); the other fields are
 * copies kept as columns so the journal can be searched by time, line and caller.
 */
export interface EvidenceRecord {
  kind: EvidenceKind;
  at: number;
  lineId: number | null;
  callerId: number | null;
  /** The row it describes: "contact:12", "reply:7", "shield:3", "audit:40". */
  ref: string | null;
  content: Record<string, unknown> & { type: EvidenceKind; at: number };
  /** The content holds personal data (a caller's number, a text): stored encrypted at rest. */
  personal: boolean;
}

/** Version of the content layouts below; bump it when a field changes meaning. */
const V = 1;

export function contactRecord(c: {
  contactId: number;
  kind: ContactKind;
  at: number;
  lineId: number;
  callerId: number;
  /** The caller's number in E.164 ("withheld" when hidden). */
  caller: string;
  provider: string;
  providerSid: string;
  text: string | null;
  labels: string[];
  outcome: string;
  replyId: number | null;
}): EvidenceRecord {
  const type = c.kind;
  return {
    kind: type,
    at: c.at,
    lineId: c.lineId,
    callerId: c.callerId,
    ref: `contact:${c.contactId}`,
    personal: true,
    content: {
      v: V,
      type,
      at: c.at,
      lineId: c.lineId,
      contactId: c.contactId,
      callerId: c.callerId,
      caller: c.caller,
      provider: c.provider,
      providerSid: c.providerSid,
      text: c.text,
      labels: c.labels,
      outcome: c.outcome,
      replyId: c.replyId,
    },
  };
}

/** A reply's final decision: sent (with what it reserved), cancelled or failed (with why). */
export function replyRecord(r: {
  replyId: number;
  at: number;
  lineId: number;
  callerId: number;
  state: 'sent' | 'cancelled' | 'failed';
  reason: string | null;
  detail: string | null;
  costMicros: number | null;
  segments: number | null;
  signals: string | null;
}): EvidenceRecord {
  return {
    kind: 'reply',
    at: r.at,
    lineId: r.lineId,
    callerId: r.callerId,
    ref: `reply:${r.replyId}`,
    personal: false,
    content: {
      v: V,
      type: 'reply',
      at: r.at,
      lineId: r.lineId,
      replyId: r.replyId,
      callerId: r.callerId,
      state: r.state,
      reason: r.reason,
      detail: r.detail,
      costMicros: r.costMicros,
      segments: r.segments,
      signals: r.signals === null ? null : (JSON.parse(r.signals) as unknown),
    },
  };
}

export function shieldRecord(s: {
  periodId: number;
  at: number;
  lineId: number;
  active: boolean;
  trigger: string;
  detail: string | null;
}): EvidenceRecord {
  return {
    kind: 'shield',
    at: s.at,
    lineId: s.lineId,
    callerId: null,
    ref: `shield:${s.periodId}`,
    personal: false,
    content: {
      v: V,
      type: 'shield',
      at: s.at,
      lineId: s.lineId,
      periodId: s.periodId,
      state: s.active ? 'on' : 'off',
      trigger: s.trigger,
      detail: s.detail,
    },
  };
}

/** An operator action, as written to the audit log (numbers in it are already masked). */
export function operatorRecord(a: {
  auditId: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}): EvidenceRecord {
  return {
    kind: 'operator',
    at: a.at,
    lineId: null,
    callerId: null,
    ref: `audit:${a.auditId}`,
    personal: false,
    content: {
      v: V,
      type: 'operator',
      at: a.at,
      auditId: a.auditId,
      actor: a.actor,
      action: a.action,
      target: a.target,
      detail: a.detail,
    },
  };
}
