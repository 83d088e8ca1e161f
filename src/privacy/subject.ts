import type { Clock } from '../domain/clock.ts';
import { formatDuration } from '../domain/duration.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { classifyNumber, maskNumber, toE164 } from '../domain/phone.ts';
import { openContent } from '../evidence/journal.ts';
import type { EvidenceFacts } from '../storage/evidence-facts.ts';
import type { SubjectErasure } from '../storage/subject-erasure.ts';
import type { SubjectCaller, SubjectRepo } from '../storage/subject-repo.ts';
import type { NumberVault } from './number-vault.ts';

/** What a data subject's requests need from storage. */
export type SubjectStore = Pick<
  SubjectRepo,
  | 'findCaller'
  | 'contactsOf'
  | 'repliesOf'
  | 'messagesTo'
  | 'journalOf'
  | 'evidenceFacts'
  | 'eraseSubject'
  | 'audit'
>;

/** Everything held about one number, as handed to the person who asked (GDPR article 15). */
export interface SubjectExport {
  format: 'nonmerci-privacy-export/1';
  generatedAt: string;
  /** The number in full: this document is the person's own data. */
  number: string;
  found: boolean;
  summary: string;
  caller: {
    numberType: string;
    country: string | null;
    firstSeen: string;
    lastSeen: string;
    /** Contacts counted on the caller record (erased ones may still be counted). */
    contactCount: number;
    blocked: boolean;
    allowed: boolean;
    optedOut: string | null;
    releasedFromEvidence: string | null;
  } | null;
  contacts: {
    id: number;
    at: string;
    line: string;
    kind: string;
    text: string | null;
    labels: string[];
    outcome: string;
    replyId: number | null;
    markedAsEvidence: string | null;
    keptAsEvidence: boolean;
    /** When retention erases it; null while it is kept as evidence. */
    erasedAfter: string | null;
  }[];
  replies: {
    id: number;
    line: string;
    state: string;
    reason: string | null;
    detail: string | null;
    createdAt: string;
    dueAt: string;
    sentAt: string | null;
    text: string | null;
    segments: number | null;
  }[];
  simulatorMessages: { at: string; from: string; text: string; segments: number }[];
  journal: {
    seq: number | null;
    at: string;
    kind: string;
    ref: string | null;
    content: unknown;
    erased: string | null;
  }[];
  evidence: { kept: boolean; reasons: string[] };
  retention: { period: string; rule: string; notes: string[] };
}

/** Result of an erasure (contract.ts PrivacyEraseResult), with what the command line also shows. */
export interface SubjectEraseResult {
  number: string;
  found: boolean;
  erased: { contacts: number; replies: number; messages: number; journalEntries: number };
  kept: { contacts: number; journalEntries: number };
  keptBecause: string[];
  /** The caller record: erased, kept (evidence, STOP or block), or there was none. */
  callerRow: SubjectErasure['callerRow'];
  /** Replies being sent right now, left alone. */
  inFlight: number[];
}

const LEGAL_BASIS =
  'Legal basis: GDPR article 17(3)(e), the establishment, exercise or defence of legal claims.';

const iso = (at: number) => new Date(at).toISOString();
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const records = (contacts: number, replies: number) =>
  [
    contacts > 0 ? plural(contacts, 'contact') : null,
    replies > 0 ? plural(replies, 'reply', 'replies') : null,
  ]
    .filter(Boolean)
    .join(' and ');

/**
 * A number typed by an admin answering a request: "06 12 34 56 78" is read as French, any
 * international spelling is accepted. Returns the normalised form the blind index is taken of.
 */
export function subjectNumber(raw: string): string {
  const e164 = toE164(raw, 'FR');
  const number = e164 === null ? null : classifyNumber(e164);
  if (!number || number.type === 'withheld')
    throw new InvalidInputError(
      `"${raw.slice(0, 40)}" is not a phone number; write it like 06 12 34 56 78 or +33612345678.`,
      { field: 'number' },
    );
  return number.normalized;
}

/**
 * The evidence exception for one caller, in plain English: why their records are kept, and on
 * what legal basis. `held` counts what is kept (all of it when the caller is hostile).
 */
export function evidenceReasons(
  f: EvidenceFacts,
  held: { contacts: number; replies: number },
): string[] {
  const what = records(held.contacts, held.replies);
  if (f.hostile && what) {
    const why = [
      f.blocked ? 'the number is on the blocklist' : null,
      f.labels.length > 0 ? `texts were classified as ${f.labels.join(', ')}` : null,
      f.marked.length > 0
        ? `${plural(f.marked.length, 'contact was', 'contacts were')} marked as evidence by an operator`
        : null,
      f.withheld > 0
        ? `${plural(f.withheld, 'reply was', 'replies were')} withheld because the caller was hostile`
        : null,
    ].filter(Boolean);
    return [
      `${what} ${held.contacts + held.replies === 1 ? 'is' : 'are'} kept as evidence because this caller was hostile (${why.join('; ')}) and no admin has released them from evidence. ${LEGAL_BASIS}`,
    ];
  }
  const out: string[] = [];
  for (const m of f.marked)
    out.push(
      `Contact #${m.contactId} of ${iso(m.at)} was marked as evidence${m.markedBy ? ` by ${m.markedBy}` : ''} on ${iso(m.markedAt)}; it is kept until the mark is removed. ${LEGAL_BASIS}`,
    );
  for (const h of f.holds)
    out.push(
      `${plural(h.contacts, 'contact falls', 'contacts fall')} inside a period held as evidence (hold #${h.id}, ${h.kind === 'exported' ? 'exported as an evidence bundle' : 'flagged'} by ${h.createdBy}: from ${iso(h.from)} to ${iso(h.to)}, ${h.lineNumber ? `line ${h.lineNumber}` : 'every line'}); kept until an admin releases the hold. ${LEGAL_BASIS}`,
    );
  return out;
}

export interface SubjectRightsOptions {
  store: SubjectStore;
  vault: Pick<NumberVault, 'blindIndex' | 'encrypt' | 'decrypt'>;
  clock: Clock;
  /** RETENTION. */
  retentionMs: number;
  /**
   * Records the webhooks answered but still in the intake log, so that a request made during a
   * flood sees (and erases) the person's latest calls and texts too.
   */
  recordPending?(): Promise<void>;
}

/**
 * A data subject's rights, exercised by an admin on the person's behalf: access (export
 * everything held about a number) and erasure (everything but what the evidence exception keeps).
 * Both are audited with the number masked.
 */
export class SubjectRights {
  readonly #o: SubjectRightsOptions;
  constructor(options: SubjectRightsOptions) {
    this.#o = options;
  }

  async export(raw: string, actor: string): Promise<SubjectExport> {
    const { store, vault, clock, retentionMs } = this.#o;
    const number = subjectNumber(raw);
    await this.#o.recordPending?.();
    const index = vault.blindIndex(number);
    const now = clock.now();
    const caller = await store.findCaller(index);
    const [contacts, replies, journal, facts] = caller
      ? await Promise.all([
          store.contactsOf(caller.id),
          store.repliesOf(caller.id),
          store.journalOf(caller.id),
          store.evidenceFacts(caller.id),
        ])
      : [[], [], [], null];
    const messages = await store.messagesTo(index);
    const found = caller !== null || messages.length > 0;
    const keptContacts = contacts.filter((c) => c.kept).length;
    const reasons = facts
      ? evidenceReasons(facts, {
          contacts: keptContacts,
          replies: facts.hostile ? replies.length : 0,
        })
      : [];
    const doc: SubjectExport = {
      format: 'nonmerci-privacy-export/1',
      generatedAt: iso(now),
      number,
      found,
      summary: found
        ? `Held about ${number}: ${plural(contacts.length, 'contact')}, ${plural(replies.length, 'reply', 'replies')}, ${plural(messages.length, 'simulator message')} and ${plural(journal.length, 'journal entry', 'journal entries')}.`
        : `Nothing is held about ${number}.`,
      caller: caller ? callerFacts(caller) : null,
      contacts: contacts.map((c) => ({
        id: c.id,
        at: iso(c.at),
        line: c.lineNumber,
        kind: c.kind,
        text: c.body,
        labels: c.labels,
        outcome: c.outcome,
        replyId: c.replyId,
        markedAsEvidence: c.evidenceAt === null ? null : iso(c.evidenceAt),
        keptAsEvidence: c.kept,
        erasedAfter: c.kept ? null : iso(c.at + retentionMs),
      })),
      replies: replies.map((r) => ({
        id: r.id,
        line: r.lineNumber,
        state: r.state,
        reason: r.reason,
        detail: r.detail,
        createdAt: iso(r.createdAt),
        dueAt: iso(r.dueAt),
        sentAt: r.sentAt === null ? null : iso(r.sentAt),
        text: r.body,
        segments: r.segments,
      })),
      simulatorMessages: messages.map((m) => ({
        at: iso(m.at),
        from: m.from,
        text: m.body,
        segments: m.segments,
      })),
      journal: journal.map((e) => ({
        seq: e.seq,
        at: iso(e.at),
        kind: e.kind,
        ref: e.ref,
        content: e.content === null ? null : this.#open(e.content),
        erased: e.erasedAt === null ? null : iso(e.erasedAt),
      })),
      evidence: { kept: reasons.length > 0, reasons },
      retention: {
        period: formatDuration(retentionMs),
        rule: `Contacts and texts of ordinary callers are erased ${formatDuration(retentionMs)} after they arrive, simulator messages too; replies and the caller record go once nothing refers to them and the reply cooldown has passed. Records kept as evidence stay until an admin releases them.`,
        notes: caller?.optedOutAt
          ? [
              `This number asked never to be texted (STOP, ${iso(caller.optedOutAt)}): its caller record is kept so that request keeps being honoured; its contacts and texts are still erased by age.`,
            ]
          : [],
      },
    };
    await store.audit({
      at: now,
      actor,
      action: 'privacy.export',
      target: maskNumber(number),
      detail: {
        found,
        contacts: contacts.length,
        replies: replies.length,
        messages: messages.length,
        journalEntries: journal.length,
      },
    });
    return doc;
  }

  async erase(raw: string, actor: string): Promise<SubjectEraseResult> {
    const { store, vault, clock } = this.#o;
    const number = subjectNumber(raw);
    const masked = maskNumber(number);
    await this.#o.recordPending?.();
    const e = await store.eraseSubject({
      numberIndex: vault.blindIndex(number),
      now: clock.now(),
      actor,
      masked,
    });
    const keptBecause: string[] = [];
    if (e.facts)
      keptBecause.push(
        ...evidenceReasons(e.facts, {
          contacts: e.keptContacts,
          replies: e.facts.hostile ? e.keptReplies : 0,
        }),
      );
    if (e.keptJournalEntries > 0)
      keptBecause.push(
        `${plural(e.keptJournalEntries, 'journal entry', 'journal entries')} describing the kept records ${e.keptJournalEntries === 1 ? 'is' : 'are'} kept with them.`,
      );
    for (const id of e.cancelledInPlace)
      keptBecause.push(
        `Reply #${id} was cancelled and will not be sent, but it is not erased: a contact kept as evidence refers to it.`,
      );
    for (const id of e.inFlight)
      keptBecause.push(
        `Reply #${id} was being sent at that moment and was left alone; erase again in a few minutes to erase it.`,
      );
    if (e.callerRow === 'kept' && e.keptContacts === 0 && e.keptReplies === 0) {
      if (e.optedOutAt !== null)
        keptBecause.push(
          `The caller record is kept with only the encrypted number (its type and country) and its STOP request of ${iso(e.optedOutAt)}: without it the hotline would forget that this number asked never to be texted, and could text it again.`,
        );
      else if (e.blocked)
        keptBecause.push(
          'The caller record (the encrypted number and its block) is kept: the number is on the blocklist, an operator’s rule. Unblock it, then erase again, to erase the record too.',
        );
    }
    return {
      number: masked,
      found: e.callerRow !== 'none' || e.messages > 0,
      erased: {
        contacts: e.contacts,
        replies: e.replies,
        messages: e.messages,
        journalEntries: e.journalEntries,
      },
      kept: { contacts: e.keptContacts, journalEntries: e.keptJournalEntries },
      keptBecause,
      callerRow: e.callerRow,
      inFlight: e.inFlight,
    };
  }

  /** A journal content, decrypted and parsed; one that cannot be read says so. */
  #open(stored: string): unknown {
    try {
      return JSON.parse(openContent(stored, this.#o.vault)) as unknown;
    } catch {
      return { unreadable: 'this entry could not be decrypted' };
    }
  }
}

function callerFacts(c: SubjectCaller): NonNullable<SubjectExport['caller']> {
  return {
    numberType: c.numberType,
    country: c.country,
    firstSeen: iso(c.firstSeenAt),
    lastSeen: iso(c.lastSeenAt),
    contactCount: c.contactCount,
    blocked: c.blocked,
    allowed: c.allowed,
    optedOut: c.optedOutAt === null ? null : iso(c.optedOutAt),
    releasedFromEvidence: c.evidenceReleasedAt === null ? null : iso(c.evidenceReleasedAt),
  };
}
