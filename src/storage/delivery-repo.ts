import type { Kysely } from 'kysely';
import { laterStatus } from '../domain/delivery.ts';
import type { DeliveryStore, StatusUpdate } from '../hotline/delivery.ts';
import { releaseReservation } from './replies-repo.ts';
import { replyPeriodKeys } from './budget-keys.ts';
import type { Capabilities } from './capabilities.ts';
import type { Database } from './schema.ts';

export class DeliveryRepo implements DeliveryStore {
  readonly #db: Kysely<Database>;
  readonly #caps: Pick<Capabilities, 'rowLocks'>;
  constructor(db: Kysely<Database>, caps: Pick<Capabilities, 'rowLocks'>) {
    this.#db = db;
    this.#caps = caps;
  }

  /**
   * Settles spend once a status is final: the reservation becomes committed spend at the real price
   * (or the estimate when the provider gives none), or is released when the message was not billed.
   * A price that arrives after an estimate was committed corrects the committed amount, and a
   * price for a message whose reservation was already released (a send given up as failed that
   * went out after all) is committed too: money the provider spent always counts. So does a
   * second message of the same reply (sent again after an unknown outcome): its final report adds
   * its cost, without touching the reply's own status.
   */
  async applyStatus(u: StatusUpdate): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      let query = tx
        .selectFrom('replies')
        .select([
          'id',
          'provider_sid',
          'delivery_status',
          'reserved_micros',
          'cost_micros',
          'budget_day',
          'budget_month',
          'budget_hour',
          'other_sids',
          'other_micros',
        ])
        .where('provider', '=', u.provider);
      query = u.idempotencyKey
        ? query.where((eb) =>
            eb.or([eb('provider_sid', '=', u.sid), eb('idempotency_key', '=', u.idempotencyKey!)]),
          )
        : query.where('provider_sid', '=', u.sid);
      // Locked: a worker releasing the same reservation must wait for this settlement, and see it.
      if (this.#caps.rowLocks) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      if (!row) return false;

      const periods = replyPeriodKeys(row);
      const otherMicros = Number(row.other_micros);
      if (row.provider_sid !== null && row.provider_sid !== u.sid) {
        // Another message of the same reply: a send whose outcome was unknown, sent again after
        // its provider could not be asked (docs/providers.md). Its status says nothing of the
        // reply's own message, but the money it cost counts, once, when its final report comes.
        const counted = (row.other_sids ?? '').split(' ').includes(u.sid);
        if (!u.final || counted) return true;
        const own = (row.cost_micros ?? 0) - otherMicros;
        const extra =
          u.charge.kind === 'price'
            ? u.charge.micros
            : u.charge.kind === 'estimate'
              ? row.reserved_micros || own
              : 0;
        if (extra > 0)
          await tx
            .updateTable('budget_periods')
            .set((eb) => ({ committed_micros: eb('committed_micros', '+', extra) }))
            .where('period', 'in', periods)
            .execute();
        await tx
          .updateTable('replies')
          .set({
            other_sids: row.other_sids ? `${row.other_sids} ${u.sid}` : u.sid,
            other_micros: otherMicros + extra,
            ...(extra > 0 ? { cost_micros: (row.cost_micros ?? 0) + extra } : {}),
          })
          .where('id', '=', row.id)
          .execute();
        return true;
      }
      let cost = row.cost_micros;
      if (u.final && row.reserved_micros > 0) {
        await releaseReservation(tx, row);
        cost =
          u.charge.kind === 'price'
            ? u.charge.micros
            : u.charge.kind === 'estimate'
              ? row.reserved_micros
              : 0;
        if (cost > 0)
          await tx
            .updateTable('budget_periods')
            .set((eb) => ({ committed_micros: eb('committed_micros', '+', cost!) }))
            .where('period', 'in', periods)
            .execute();
        // What another message of this reply cost, already counted, stays in the reply's cost.
        cost += otherMicros;
      } else if (
        u.final &&
        u.charge.kind === 'price' &&
        u.charge.micros !== (row.cost_micros ?? 0) - otherMicros
      ) {
        // A price correcting the reply's own message, beside what its other messages cost.
        const delta = u.charge.micros - ((row.cost_micros ?? 0) - otherMicros);
        cost = u.charge.micros + otherMicros;
        await tx
          .updateTable('budget_periods')
          .set((eb) => ({ committed_micros: eb('committed_micros', '+', delta) }))
          .where('period', 'in', periods)
          .execute();
      }
      await tx
        .updateTable('replies')
        .set({
          provider_sid: row.provider_sid ?? u.sid,
          delivery_status: laterStatus(row.delivery_status, u.status),
          error_code: u.errorCode,
          ...(u.reportedPrice ? { reported_price: u.reportedPrice } : {}),
          reserved_micros: u.final ? 0 : row.reserved_micros,
          cost_micros: cost,
        })
        .where('id', '=', row.id)
        .execute();
      return true;
    });
  }
}
