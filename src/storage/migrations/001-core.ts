import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Capabilities } from '../capabilities.ts';

/** Lines, callers, contacts, replies, budget periods and the simulator outbox. */
export function coreMigration(caps: Capabilities): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const id = caps.autoIncrementId;
      await db.schema
        .createTable('lines')
        .addColumn('id', id.type, id.build)
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('voice_text', 'text', (c) => c.notNull())
        .addColumn('voice_audio_url', 'text')
        .addColumn('reply_text', 'text', (c) => c.notNull())
        .addColumn('delay_ms', 'bigint', (c) => c.notNull())
        .addColumn('cooldown_ms', 'bigint', (c) => c.notNull())
        .addColumn('allowed_countries', 'text', (c) => c.notNull())
        .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reject_calls_when_paused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('callers')
        .addColumn('id', id.type, id.build)
        .addColumn('number_index', 'text', (c) => c.notNull().unique())
        .addColumn('number_enc', 'text', (c) => c.notNull())
        .addColumn('number_type', 'text', (c) => c.notNull())
        .addColumn('country', 'text')
        .addColumn('blocked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('contact_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('contacts')
        .addColumn('id', id.type, id.build)
        .addColumn('line_id', 'bigint', (c) => c.notNull().references('lines.id'))
        .addColumn('caller_id', 'bigint', (c) => c.notNull().references('callers.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_sid', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reply_id', 'bigint')
        .addUniqueConstraint('contacts_provider_sid_unique', ['provider', 'provider_sid'])
        .execute();
      await db.schema
        .createIndex('contacts_caller_idx')
        .on('contacts')
        .columns(['caller_id', 'received_at'])
        .execute();
      await db.schema
        .createIndex('contacts_line_time_idx')
        .on('contacts')
        .columns(['line_id', 'received_at'])
        .execute();

      await db.schema
        .createTable('replies')
        .addColumn('id', id.type, id.build)
        .addColumn('line_id', 'bigint', (c) => c.notNull().references('lines.id'))
        .addColumn('caller_id', 'bigint', (c) => c.notNull().references('callers.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('detail', 'text')
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('claimed_by', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('provider', 'text')
        .addColumn('provider_attempted_at', 'bigint')
        .addColumn('provider_sid', 'text', (c) => c.unique())
        .addColumn('delivery_status', 'text')
        .addColumn('error_code', 'text')
        .addColumn('body', 'text')
        .addColumn('segments', 'integer')
        .addColumn('encoding', 'text')
        .addColumn('reserved_micros', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('cost_micros', 'bigint')
        .addColumn('budget_day', 'text')
        .addColumn('budget_month', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_at', 'bigint')
        .addColumn('sent_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('replies_due_idx')
        .on('replies')
        .columns(['state', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('replies_caller_idx')
        .on('replies')
        .columns(['line_id', 'caller_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('budget_periods')
        .addColumn('period', 'text', (c) => c.primaryKey())
        .addColumn('reserved_micros', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('committed_micros', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('sim_messages')
        .addColumn('id', id.type, id.build)
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('sid', 'text', (c) => c.notNull().unique())
        .addColumn('from_number', 'text', (c) => c.notNull())
        .addColumn('to_index', 'text', (c) => c.notNull())
        .addColumn('to_enc', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('segments', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sim_messages_to_idx')
        .on('sim_messages')
        .columns(['to_index', 'created_at'])
        .execute();
    },
  };
}
