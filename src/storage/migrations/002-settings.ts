import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** A small key-value table for facts about the deployment itself (e.g. the secret's check value). */
export const settingsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('nonmerci_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};
