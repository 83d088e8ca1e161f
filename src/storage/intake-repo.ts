import type { Kysely, Transaction } from 'kysely';
import type { ContactOutcome } from '../domain/types.ts';
import type { IntakeResult, IntakeStore, NewContact } from '../hotline/ports.ts';
import { contactRecord } from '../evidence/events.ts';
import type { Capabilities } from './capabilities.ts';
import type { Executor } from './compiled-query.ts';
import type { ContentSealer } from '../evidence/journal.ts';
import { appendEvidence } from './evidence-repo.ts';
import { intakeQueries } from './intake-queries.ts';
import type { Database } from './schema.ts';

/** Thrown inside a transaction to roll it back when the provider re-delivered a webhook. */
class DuplicateDelivery extends Error {}

interface Pending {
  contact: NewContact;
  resolve(result: IntakeResult): void;
  reject(error: unknown): void;
}

/** Contacts recorded in one transaction at most; more wait for the next one. */
const MAX_BATCH = 256;

/**
 * Records contacts durably. Contacts that arrive together are written in one transaction (group
 * commit): one disk sync then covers a whole burst, which is what lets the hotline take a flood of
 * webhooks while still acknowledging each only after it is on disk. If anything in a batch fails,
 * its contacts are recorded again one transaction each, so one bad contact cannot sink the others.
 * Where the database takes several writers (PostgreSQL), a burst is split over parallel batches,
 * as each statement there is a network round trip.
 */
export class IntakeRepo implements IntakeStore {
  readonly #db: Kysely<Database>;
  readonly #q: ReturnType<typeof intakeQueries>;
  readonly #parallel: number;
  readonly #sealer: ContentSealer;
  #queue: Pending[] = [];
  #scheduled = false;
  #inFlight = 0;

  constructor(
    db: Kysely<Database>,
    caps: Pick<Capabilities, 'parallelWriters'>,
    sealer: ContentSealer,
  ) {
    this.#db = db;
    this.#sealer = sealer;
    this.#q = intakeQueries(db);
    this.#parallel = caps.parallelWriters;
  }

  recordContact(contact: NewContact): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ contact, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#parallel || this.#queue.length === 0) return;
    this.#scheduled = true;
    // Let every webhook already received in this turn of the event loop join the batch.
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const free = this.#parallel - this.#inFlight;
    const batch = this.#queue.splice(0, Math.min(MAX_BATCH, Math.ceil(this.#queue.length / free)));
    if (batch.length === 0) return;
    this.#inFlight++;
    this.#schedule();
    try {
      // Callers are locked in one order (their index) in every batch, so parallel batches on
      // PostgreSQL wait for each other instead of deadlocking.
      const ordered = [...batch].sort((a, b) =>
        a.contact.caller.index < b.contact.caller.index
          ? -1
          : a.contact.caller.index > b.contact.caller.index
            ? 1
            : 0,
      );
      const results = await this.#db.transaction().execute(async (tx) => {
        const out: IntakeResult[] = [];
        for (const p of ordered) out.push(await this.#record(tx, p.contact));
        return out;
      });
      ordered.forEach((p, i) => p.resolve(results[i]!));
    } catch {
      for (const p of batch) await this.#recordAlone(p);
    } finally {
      this.#inFlight--;
      this.#schedule();
    }
  }

  async #recordAlone(p: Pending): Promise<void> {
    try {
      p.resolve(await this.#db.transaction().execute((tx) => this.#record(tx, p.contact)));
    } catch (error) {
      if (!(error instanceof DuplicateDelivery)) {
        p.reject(error);
        return;
      }
      // Another process recorded the same webhook between our check and our insert.
      const delivered = await this.#findDelivered(
        this.#db,
        p.contact.provider,
        p.contact.providerSid,
      ).catch(() => null);
      if (delivered) p.resolve(delivered);
      else p.reject(new Error('duplicate webhook without a stored contact', { cause: error }));
    }
  }

  /**
   * Records one contact, its caller and, if the caller has no reply on this line within the
   * cooldown, a scheduled reply. On PostgreSQL the caller upsert locks the caller's row, so two
   * simultaneous contacts from one number cannot both schedule a reply.
   */
  async #record(tx: Transaction<Database>, c: NewContact): Promise<IntakeResult> {
    const q = this.#q;
    const delivered = await this.#findDelivered(tx, c.provider, c.providerSid);
    if (delivered) return delivered;
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
    await appendEvidence(
      tx,
      [
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
      ],
      this.#sealer,
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
