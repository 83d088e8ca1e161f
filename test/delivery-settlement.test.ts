import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { StatusUpdate } from '../src/hotline/delivery.ts';
import { DeliveryRepo } from '../src/storage/delivery-repo.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { LINE, startHotline, testConfig, type TestHotline } from './support/hotline.ts';

/**
 * Settling the spend of a reply from its delivery reports when a send whose outcome was unknown
 * was sent again (docs/providers.md): each message's cost counts once, however often and in
 * whatever order its reports come, and a price correcting one message never undoes the other.
 */

const PRICE = 100_000;
const RESERVED = 160_000;

for (const dialect of DIALECTS) {
  describe(
    `delivery reports of a reply sent twice [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      let db: TestDatabase;
      let hotline: TestHotline;
      let repo: DeliveryRepo;
      let key: string;

      beforeEach(async () => {
        db = await createTestDatabase(dialect.name);
        hotline = await startHotline(testConfig(db.target));
        repo = new DeliveryRepo(hotline.storage.db, hotline.storage.caps);
        await hotline.intake.receive('simulator', {
          kind: 'text',
          from: '+33612345678',
          to: LINE,
          providerSid: 'SIM-SETTLE-1',
          body: 'Allô ?',
        });
        await hotline.processor.drain();
        const reply = await hotline.storage.db
          .selectFrom('replies')
          .select(['id', 'idempotency_key'])
          .executeTakeFirstOrThrow();
        key = reply.idempotency_key;
        // Reserved and in flight with the provider, as a worker leaves it.
        await hotline.storage.db
          .insertInto('budget_periods')
          .values([
            { period: 'day:2026-01-01', reserved_micros: RESERVED, committed_micros: 0 },
            { period: 'month:2026-01', reserved_micros: RESERVED, committed_micros: 0 },
          ])
          .execute();
        await hotline.storage.db
          .updateTable('replies')
          .set({
            state: 'scheduled',
            provider: 'telnyx',
            provider_attempted_at: 1,
            reserved_micros: RESERVED,
            budget_day: '2026-01-01',
            budget_month: '2026-01',
          })
          .where('id', '=', reply.id)
          .execute();
      });
      afterEach(async () => {
        await hotline?.close();
        await db?.drop();
      });

      const report = (sid: string, price: number | null = PRICE, final = true) =>
        repo.applyStatus({
          provider: 'telnyx',
          sid,
          idempotencyKey: key,
          status: final ? 'delivered' : 'sent',
          errorCode: null,
          reportedPrice: null,
          final,
          charge: price === null ? { kind: 'estimate' } : { kind: 'price', micros: price },
        } satisfies StatusUpdate);
      /** The worker's markSent, after the resend was accepted. */
      const sent = (sid: string) =>
        hotline.storage.db
          .updateTable('replies')
          .set((eb) => ({
            state: 'sent',
            provider_sid: eb.fn.coalesce('provider_sid', eb.val(sid)),
          }))
          .execute();
      const state = async () => {
        const reply = await hotline.storage.db
          .selectFrom('replies')
          .select(['provider_sid', 'reserved_micros', 'cost_micros'])
          .executeTakeFirstOrThrow();
        const periods = await hotline.storage.db
          .selectFrom('budget_periods')
          .select(['reserved_micros', 'committed_micros'])
          .execute();
        return {
          sid: reply.provider_sid,
          reserved: Number(reply.reserved_micros),
          cost: Number(reply.cost_micros),
          periods: periods.map((p) => [Number(p.reserved_micros), Number(p.committed_micros)]),
        };
      };
      const both = {
        reserved: 0,
        cost: 2 * PRICE,
        periods: [
          [0, 2 * PRICE],
          [0, 2 * PRICE],
        ],
      };

      it('counts the earlier message once when its report comes twice', async () => {
        await sent('B');
        await report('A');
        await report('A');
        await report('B');
        assert.deepEqual(await state(), { sid: 'B', ...both });
      });

      it('keeps the other message when the own message’s report comes again', async () => {
        await sent('B');
        await report('B');
        await report('A');
        await report('B');
        await report('B', PRICE + 5_000);
        assert.deepEqual(await state(), {
          sid: 'B',
          reserved: 0,
          cost: 2 * PRICE + 5_000,
          periods: [
            [0, 2 * PRICE + 5_000],
            [0, 2 * PRICE + 5_000],
          ],
        });
      });

      it('counts both when the earlier message reports while the resend is in flight', async () => {
        await report('A');
        await sent('B');
        await report('B');
        assert.deepEqual(await state(), { sid: 'A', ...both });
      });

      it('waits for a final report before counting another message', async () => {
        await sent('B');
        await report('A', PRICE, false);
        await report('B');
        assert.equal((await state()).cost, PRICE);
        await report('A');
        assert.deepEqual(await state(), { sid: 'B', ...both });
      });
    },
  );
}
