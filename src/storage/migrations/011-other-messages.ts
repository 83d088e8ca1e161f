import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Other messages of one reply: a send whose outcome was unknown, sent again after its provider
 * could not be asked (docs/providers.md). Their ids, so that each one's cost counts once however
 * often its report comes, and what they cost, kept apart from the reply's own message so that a
 * price correcting the one never undoes the other.
 */
export const otherMessagesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('replies').addColumn('other_sids', 'text').execute();
    await db.schema
      .alterTable('replies')
      .addColumn('other_micros', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
