import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The price a provider reported for a reply in another currency than CURRENCY (Telnyx bills in
 * USD, for instance): kept as it was said ("0.0040 USD") to be shown beside the amount counted,
 * which stays the reserved estimate since caps are in CURRENCY.
 */
export const reportedPriceMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('replies').addColumn('reported_price', 'text').execute();
  },
};
