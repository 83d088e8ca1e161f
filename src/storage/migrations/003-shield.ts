import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Capabilities } from '../capabilities.ts';

/**
 * The shield: per-line shield state and its periods, hostility signals kept on contacts and
 * callers (by blind index only), operator rules with their audit log, and the alert outbox.
 */
export function shieldMigration(caps: Capabilities): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const id = caps.autoIncrementId;
      await db.schema
        .alterTable('lines')
        .addColumn('shield_mode', 'text', (c) => c.notNull().defaultTo('auto'))
        .execute();
      await db.schema
        .alterTable('lines')
        .addColumn('shield_active', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('lines').addColumn('shield_since', 'bigint').execute();
      await db.schema.alterTable('lines').addColumn('shield_last_surge_at', 'bigint').execute();

      await db.schema.alterTable('callers').addColumn('prefix_index', 'text').execute();
      await db.schema.alterTable('callers').addColumn('opted_out_at', 'bigint').execute();
      await db.schema
        .alterTable('callers')
        .addColumn('allowed', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('callers_prefix_idx')
        .on('callers')
        .columns(['prefix_index'])
        .execute();

      await db.schema.alterTable('contacts').addColumn('labels', 'text').execute();

      await db.schema
        .alterTable('replies')
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('replies').addColumn('signals', 'text').execute();
      await db.schema.alterTable('replies').addColumn('budget_hour', 'text').execute();

      await db.schema
        .createTable('rules')
        .addColumn('id', id.type, id.build)
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('note', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('rules_kind_value_unique', ['kind', 'value'])
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', id.type, id.build)
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at_idx').on('audit_log').columns(['at']).execute();

      await db.schema
        .createTable('shield_periods')
        .addColumn('id', id.type, id.build)
        .addColumn('line_id', 'bigint', (c) => c.notNull().references('lines.id'))
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .execute();
      await db.schema
        .createIndex('shield_periods_line_idx')
        .on('shield_periods')
        .columns(['line_id', 'started_at'])
        .execute();

      await db.schema
        .createTable('alerts')
        .addColumn('id', id.type, id.build)
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('claimed_until', 'bigint')
        .addColumn('delivered_to', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('delivered_at', 'bigint')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createIndex('alerts_pending_idx')
        .on('alerts')
        .columns(['delivered_at', 'next_attempt_at'])
        .execute();
    },
  };
}
