import { sql, type Kysely, type Transaction } from 'kysely';
import type { LoggedEvent } from '../intake/log.ts';
import { claimEvents, countFailure, removeEvents } from './intake-log-repo.ts';
import type { ContactOutcome } from '../domain/types.ts';
import type {
  IntakeResult,
  IntakeStore,
  NewContact,
  ProcessedBatch,
  ProcessedEvent,
} from '../hotline/ports.ts';
import { contactRecord, type EvidenceRecord } from '../evidence/events.ts';
import type { Capabilities } from './capabilities.ts';
import type { Executor } from './compiled-query.ts';
import type { ContentSealer } from '../evidence/journal.ts';
import { appendEvidence } from './evidence-repo.ts';
import { intakeQueries } from './intake-queries.ts';
import type { Database } from './schema.ts';

/** Thrown inside a transaction to roll it back when the provider re-delivered a webhook. */
class DuplicateDelivery extends Error {}

/**
 * Records the events of the intake log: each becomes a contact, its caller and, if the caller has
 * no reply on this line within the cooldown, a scheduled reply, with its evidence entry. A batch of
 * events is claimed, recorded and removed from the log in one transaction, so each event has its
 * effects exactly once, whichever process records it and whenever one crashes. If anything in a
 * batch fails, its events are recorded again one transaction each, so one bad event cannot hold
 * up the others; an event that keeps failing is counted, and set aside after MAX_FAILURES.
 */
export class IntakeRepo implements IntakeStore {
  readonly #db: Kysely<Database>;
  readonly #q: ReturnType<typeof intakeQueries>;
  readonly #caps: Pick<Capabilities, 'skipLocked' | 'unsyncedCommit'>;
  readonly #sealer: ContentSealer;

  /**
   * A batch's commit does not wait for the disk (SQLite's and PostgreSQL's own "asynchronous
   * commit"): the intake log is what must survive a power cut, and its appends still sync. A
   * batch lost with the last instants before a cut leaves its events in the log, and they are
   * recorded again, once. The next synced commit (an append, the claim of a reply before it is
   * sent) syncs the log of the database up to it, batches included, so nothing leaves the
   * process on the strength of a batch that could still be lost.
   */
  constructor(
    db: Kysely<Database>,
    caps: Pick<Capabilities, 'skipLocked' | 'unsyncedCommit'>,
    sealer: ContentSealer,
  ) {
    this.#db = db;
    this.#sealer = sealer;
    this.#q = intakeQueries(db);
    this.#caps = caps;
  }

  async processBatch(
    limit: number,
    prepare: (event: LoggedEvent) => NewContact,
  ): Promise<ProcessedBatch> {
    if (this.#caps.unsyncedCommit === 'transaction')
      return this.#processBatch(this.#db, limit, prepare);
    // SQLite: the connection is held from one pragma to the other, so that no other commit (an
    // append to the log) runs meanwhile without its sync.
    return this.#db.connection().execute(async (connection) => {
      await sql`pragma synchronous = NORMAL`.execute(connection);
      try {
        return await this.#processBatch(connection, limit, prepare);
      } finally {
        await sql`pragma synchronous = FULL`.execute(connection);
      }
    });
  }

  async #processBatch(
    db: Kysely<Database>,
    limit: number,
    prepare: (event: LoggedEvent) => NewContact,
  ): Promise<ProcessedBatch> {
    try {
      const done = await db.transaction().execute(async (tx) => {
        await this.#unsynced(tx);
        const events = await claimEvents(tx, this.#caps, limit);
        // Callers are locked in one order (their index, then arrival) in every batch, so parallel
        // batches on PostgreSQL wait for each other instead of deadlocking, and each caller's
        // contacts are recorded in the order they came.
        const ordered = events
          .map((event) => ({ event, contact: prepare(event) }))
          .sort((a, b) =>
            a.contact.caller.index < b.contact.caller.index
              ? -1
              : a.contact.caller.index > b.contact.caller.index
                ? 1
                : a.event.id - b.event.id,
          );
        const out: ProcessedEvent[] = [];
        const evidence: EvidenceRecord[] = [];
        for (const p of ordered)
          out.push({ ...p, result: await this.#record(tx, p.contact, evidence) });
        // The batch's evidence entries in one statement.
        await appendEvidence(tx, evidence, this.#sealer);
        await removeEvents(
          tx,
          events.map((e) => e.id),
        );
        return out.sort((a, b) => a.event.id - b.event.id);
      });
      return { done, failed: [] };
    } catch {
      return this.#processAlone(db, limit, prepare);
    }
  }

  async #processAlone(
    db: Kysely<Database>,
    limit: number,
    prepare: (event: LoggedEvent) => NewContact,
  ): Promise<ProcessedBatch> {
    const batch: ProcessedBatch = { done: [], failed: [] };
    const waiting = await claimEvents(db, { skipLocked: false }, limit);
    for (const candidate of waiting) {
      try {
        const one = await db.transaction().execute(async (tx) => {
          await this.#unsynced(tx);
          const [event] = await claimEvents(tx, this.#caps, 1, candidate.id);
          if (!event) return null; // another process took it meanwhile
          const contact = prepare(event);
          let result: IntakeResult;
          const evidence: EvidenceRecord[] = [];
          try {
            result = await this.#record(tx, contact, evidence);
            await appendEvidence(tx, evidence, this.#sealer);
          } catch (error) {
            if (!(error instanceof DuplicateDelivery)) throw error;
            throw Object.assign(error, { event, contact });
          }
          await removeEvents(tx, [event.id]);
          return { event, contact, result };
        });
        if (one) batch.done.push(one);
      } catch (error) {
        if (error instanceof DuplicateDelivery) {
          // Another process recorded the same message between our check and our insert.
          const { event, contact } = error as DuplicateDelivery & {
            event: LoggedEvent;
            contact: NewContact;
          };
          const delivered = await this.#findDelivered(db, event.provider, event.providerSid);
          if (delivered) {
            await removeEvents(db, [event.id]);
            batch.done.push({ event, contact, result: delivered });
            continue;
          }
        }
        await countFailure(db, candidate.id, (error as Error).message ?? String(error)).catch(
          () => undefined,
        );
        batch.failed.push({ event: candidate, error });
      }
    }
    return batch;
  }

  /** PostgreSQL: this transaction's commit does not wait for the disk (see the constructor). */
  async #unsynced(tx: Transaction<Database>): Promise<void> {
    if (this.#caps.unsyncedCommit === 'transaction')
      await sql`SET LOCAL synchronous_commit = off`.execute(tx);
  }

  /**
   * Records one contact, its caller and, if the caller has no reply on this line within the
   * cooldown, a scheduled reply. On PostgreSQL the caller upsert locks the caller's row, so two
   * simultaneous contacts from one number cannot both schedule a reply.
   *
   * No look-up first: the intake log only takes messages not recorded yet. The rare one recorded
   * meanwhile (a provider's retry that raced its first delivery) makes the contact insert fail,
   * which rolls the batch back; recorded alone, it is then reported as a duplicate.
   */
  async #record(
    tx: Transaction<Database>,
    c: NewContact,
    evidence: EvidenceRecord[],
  ): Promise<IntakeResult> {
    const q = this.#q;
    const [caller] = await q.upsertCaller(
      tx,
      c.caller.index,
      c.caller.enc,
      c.caller.type,
      c.caller.country,
      c.receivedAt,
      c.caller.prefixIndex,
    );
    if (!caller) throw new Error('caller upsert returned nothing');
    if (c.optOut) await q.optOut(tx, caller.id, c.receivedAt);
    const optedOut = c.optOut || caller.opted_out_at !== null;
    const [previous] = await q.latestReply(tx, c.lineId, caller.id, c.reply.cooldownSince);

    let outcome: ContactOutcome = optedOut ? 'opted_out' : 'cooldown';
    let replyId = previous?.id ?? null;
    if (!previous && !optedOut) {
      const [reply] = await q.insertReply(
        tx,
        c.lineId,
        caller.id,
        c.reply.dueAt,
        c.reply.expiresAt,
        c.reply.idempotencyKey,
        c.receivedAt,
      );
      outcome = 'reply_scheduled';
      replyId = reply!.id;
    }
    const [contact] = await q.insertContact(
      tx,
      c.lineId,
      caller.id,
      c.kind,
      c.provider,
      c.providerSid,
      c.receivedAt,
      c.body,
      outcome,
      replyId,
      c.labels,
      c.evidenceMark === null ? null : c.receivedAt,
      c.evidenceMark,
    );
    if (!contact) throw new DuplicateDelivery();
    evidence.push(
      contactRecord({
        contactId: contact.id,
        kind: c.kind,
        at: c.receivedAt,
        lineId: c.lineId,
        callerId: caller.id,
        caller: c.caller.number,
        provider: c.provider,
        providerSid: c.providerSid,
        text: c.body,
        labels: c.labels ? c.labels.split(',') : [],
        outcome,
        replyId,
      }),
    );
    return {
      duplicate: false,
      contactId: contact.id,
      callerId: caller.id,
      outcome,
      replyId,
      callerBlocked: caller.blocked === 1,
    };
  }

  async lookup(provider: string, providerSid: string): Promise<IntakeResult | null> {
    const found = await this.#findDelivered(this.#db, provider, providerSid);
    return found && { ...found, duplicate: false };
  }

  async #findDelivered(
    db: Executor,
    provider: string,
    providerSid: string,
  ): Promise<IntakeResult | null> {
    const [row] = await this.#q.findDelivered(db, provider, providerSid);
    if (!row) return null;
    return {
      duplicate: true,
      contactId: row.id,
      callerId: row.caller_id,
      outcome: row.outcome as ContactOutcome,
      replyId: row.reply_id,
      callerBlocked: row.blocked === 1,
    };
  }
}
