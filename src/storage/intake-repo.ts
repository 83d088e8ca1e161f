import type { Kysely } from 'kysely';
import type { ContactOutcome } from '../domain/types.ts';
import type { IntakeResult, IntakeStore, NewContact } from '../hotline/ports.ts';
import type { Database } from './schema.ts';

/** Thrown inside the transaction to roll it back when the provider re-delivered a webhook. */
class DuplicateDelivery extends Error {}

export class IntakeRepo implements IntakeStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Records a contact, its caller and, if the caller has no reply on this line within the cooldown,
   * a scheduled reply, all in one transaction. On PostgreSQL the caller upsert locks the caller's row,
   * so two simultaneous contacts from one number cannot both schedule a reply.
   */
  async recordContact(c: NewContact): Promise<IntakeResult> {
    const existing = await this.#findDelivered(c.provider, c.providerSid);
    if (existing) return existing;
    try {
      return await this.#db.transaction().execute(async (tx) => {
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
      });
    } catch (error) {
      if (!(error instanceof DuplicateDelivery)) throw error;
      const delivered = await this.#findDelivered(c.provider, c.providerSid);
      if (!delivered) throw new Error('duplicate webhook without a stored contact', { cause: error });
      return delivered;
    }
  }

  async #findDelivered(provider: string, providerSid: string): Promise<IntakeResult | null> {
    const row = await this.#db
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
