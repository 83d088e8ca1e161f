import type { Kysely } from 'kysely';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { SimOutbox, SimulatedSms } from '../telephony/simulator/simulator.ts';
import type { OutboundSms } from '../telephony/provider.ts';
import type { Database } from './schema.ts';

/** The simulator's outbox; recipients are encrypted like every other number. */
export class SimOutboxRepo implements SimOutbox {
  readonly #db: Kysely<Database>;
  readonly #vault: NumberVault;
  constructor(db: Kysely<Database>, vault: NumberVault) {
    this.#db = db;
    this.#vault = vault;
  }

  async deliver(
    sms: OutboundSms,
    sid: string,
    segments: number,
    now: number,
  ): Promise<{ sid: string }> {
    const inserted = await this.#db
      .insertInto('sim_messages')
      .values({
        idempotency_key: sms.idempotencyKey,
        sid,
        from_number: sms.from,
        to_index: this.#vault.blindIndex(sms.to),
        to_enc: this.#vault.encrypt(sms.to),
        body: sms.body,
        segments,
        created_at: now,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('sid')
      .executeTakeFirst();
    if (inserted) return { sid: inserted.sid };
    const existing = await this.findByKey(sms.idempotencyKey);
    return { sid: existing!.sid };
  }

  async findByKey(idempotencyKey: string): Promise<{ sid: string; segments: number } | null> {
    const row = await this.#db
      .selectFrom('sim_messages')
      .select(['sid', 'segments'])
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Messages delivered to one number after a moment, oldest first. */
  async listTo(number: string, since: number): Promise<SimulatedSms[]> {
    const rows = await this.#db
      .selectFrom('sim_messages')
      .select(['sid', 'from_number', 'to_enc', 'body', 'created_at'])
      .where('to_index', '=', this.#vault.blindIndex(number))
      .where('created_at', '>=', since)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      sid: r.sid,
      from: r.from_number,
      to: this.#vault.decrypt(r.to_enc),
      body: r.body,
      createdAt: r.created_at,
    }));
  }
}
