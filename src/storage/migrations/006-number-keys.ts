import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Versions of the key that encrypts phone numbers (see privacy/number-vault.ts). Version 1 is
 * derived from NONMERCI_SECRET and has a row only once retired; versions 2 and up are random data
 * keys, stored wrapped (AES-256-GCM) under a key derived from the secret, and wiped ('') when
 * destroyed. Times are epoch milliseconds.
 */
export const numberKeysMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('number_keys')
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('wrapped', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('active_from', 'bigint', (c) => c.notNull())
      .addColumn('retired_at', 'bigint')
      .execute();
  },
};
