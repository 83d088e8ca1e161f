import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Capabilities } from '../capabilities.ts';

/**
 * Evidence and privacy: the hash-chained journal of everything recorded, its signed heads, the
 * chain's tail, periods held as evidence (flagged or exported), and a hostile caller released
 * from evidence by an admin. The chain starts with the first event after this migration.
 */
export function evidenceMigration(caps: Capabilities): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const id = caps.autoIncrementId;
      await db.schema
        .createTable('evidence_log')
        .addColumn('id', id.type, id.build)
        .addColumn('seq', 'bigint', (c) => c.unique())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('line_id', 'bigint')
        .addColumn('caller_id', 'bigint')
        .addColumn('ref', 'text')
        .addColumn('content', 'text')
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text')
        .addColumn('entry_hash', 'text')
        .addColumn('erased_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('evidence_log_unchained_idx')
        .on('evidence_log')
        .column('id')
        .where(sql.ref('seq'), 'is', null)
        .execute();
      await db.schema.createIndex('evidence_log_at_idx').on('evidence_log').column('at').execute();
      await db.schema
        .createIndex('evidence_log_caller_idx')
        .on('evidence_log')
        .column('caller_id')
        .execute();
      await db.schema
        .createIndex('evidence_log_ref_idx')
        .on('evidence_log')
        .column('ref')
        .execute();

      await db.schema
        .createTable('evidence_heads')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('entry_hash', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('mac', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('evidence_chain')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('last_seq', 'bigint', (c) => c.notNull())
        .addColumn('last_hash', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into evidence_chain (id, last_seq, last_hash, updated_at) values (1, 0, ${'0'.repeat(64)}, 0)`.execute(
        db,
      );

      await db.schema
        .createTable('evidence_holds')
        .addColumn('id', id.type, id.build)
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('from_at', 'bigint', (c) => c.notNull())
        .addColumn('to_at', 'bigint', (c) => c.notNull())
        .addColumn('line_id', 'bigint')
        .addColumn('note', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('released_at', 'bigint')
        .addColumn('released_by', 'text')
        .execute();

      await db.schema.alterTable('callers').addColumn('evidence_released_at', 'bigint').execute();
    },
  };
}
