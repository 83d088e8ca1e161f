import type { Kysely, Transaction } from 'kysely';
import type { ContactOutcome } from '../domain/types.ts';
import type { IntakeResult, IntakeStore, NewContact } from '../hotline/ports.ts';
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

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Records contacts durably. Contacts that arrive together are written in one transaction (group
 * commit): one disk sync then covers a whole burst, which is what lets the hotline take a flood of
 * webhooks while still acknowledging each only after it is on disk. If anything in a batch fails,
 * its contacts are recorded again one transaction each, so one bad contact cannot sink the others.
 */
export class IntakeRepo implements IntakeStore {
  readonly #db: Kysely<Database>;
  #queue: Pending[] = [];
  #scheduled = false;
  #flushing = false;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  recordContact(contact: NewContact): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ contact, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    // Let every webhook already received in this turn of the event loop join the batch.
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    this.#flushing = true;
    const batch = this.#queue.splice(0, MAX_BATCH);
    try {
      const results = await this.#db.transaction().execute(async (tx) => {
        const out: IntakeResult[] = [];
        for (const p of batch) out.push(await this.#record(tx, p.contact));
        return out;
      });
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch {
      for (const p of batch) await this.#recordAlone(p);
    } finally {
      this.#flushing = false;
      if (this.#queue.length > 0) this.#schedule();
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
      const delivered = await this.#findDelivered(this.#db, p.contact.provider, p.contact.providerSid).catch(() => null);
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
    const delivered = await this.#findDelivered(tx, c.provider, c.providerSid);
    if (delivered) return delivered;
    const caller = await tx
      .insertInto('callers')
      .values({
        number_index: c.caller.index,
        number_enc: c.caller.enc,
        number_type: c.caller.type,
        country: c.caller.country,
        first_seen_at: c.receivedAt,
        last_seen_at: c.receivedAt,
        contact_count: 1,
      })
      .onConflict((oc) =>
        oc.column('number_index').doUpdateSet((eb) => ({
          last_seen_at: eb.ref('excluded.last_seen_at'),
          contact_count: eb('callers.contact_count', '+', 1),
        })),
      )
      .returning(['id', 'blocked'])
      .executeTakeFirstOrThrow();

    const previous = await tx
      .selectFrom('replies')
      .select('id')
      .where('line_id', '=', c.lineId)
      .where('caller_id', '=', caller.id)
      .where('created_at', '>=', c.reply.cooldownSince)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();

    let outcome: ContactOutcome = 'cooldown';
    let replyId = previous?.id ?? null;
    if (!previous) {
      const reply = await tx
        .insertInto('replies')
        .values({
          line_id: c.lineId,
          caller_id: caller.id,
          state: 'scheduled',
          due_at: c.reply.dueAt,
          expires_at: c.reply.expiresAt,
          next_attempt_at: c.reply.dueAt,
          idempotency_key: c.reply.idempotencyKey,
          created_at: c.receivedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      outcome = 'reply_scheduled';
      replyId = reply.id;
    }

    const contact = await tx
      .insertInto('contacts')
      .values({
        line_id: c.lineId,
        caller_id: caller.id,
        kind: c.kind,
        provider: c.provider,
        provider_sid: c.providerSid,
        received_at: c.receivedAt,
        body: c.body,
        outcome,
        reply_id: replyId,
      })
      .onConflict((oc) => oc.columns(['provider', 'provider_sid']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!contact) throw new DuplicateDelivery();
    return { duplicate: false, contactId: contact.id, outcome, replyId, callerBlocked: caller.blocked === 1 };
  }

  async #findDelivered(db: Db, provider: string, providerSid: string): Promise<IntakeResult | null> {
    const row = await db
      .selectFrom('contacts')
      .innerJoin('callers', 'callers.id', 'contacts.caller_id')
      .select(['contacts.id', 'contacts.outcome', 'contacts.reply_id', 'callers.blocked'])
      .where('contacts.provider', '=', provider)
      .where('contacts.provider_sid', '=', providerSid)
      .executeTakeFirst();
    if (!row) return null;
    return {
      duplicate: true,
      contactId: row.id,
      outcome: row.outcome as ContactOutcome,
      replyId: row.reply_id,
      callerBlocked: row.blocked === 1,
    };
  }
}
