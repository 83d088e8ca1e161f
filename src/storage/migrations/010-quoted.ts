import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Texts an operator chose to quote in the complaint report (when, and who): printed in clear in
 * the PDF, under a warning, while the dashboard keeps them blurred.
 */
export const quotedMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('contacts').addColumn('quoted_at', 'bigint').execute();
    await db.schema.alterTable('contacts').addColumn('quoted_by', 'text').execute();
  },
};
