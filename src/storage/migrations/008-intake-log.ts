import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Capabilities } from '../capabilities.ts';

/**
 * The intake log: each webhook's event, stored durably before it is acknowledged and removed in
 * the transaction that records its effects (contact, caller, reply, evidence). Rows live for
 * milliseconds while the line is calm; a raid leaves a backlog here that the processor drains.
 * One event per provider message id, as for contacts.
 */
export function intakeLogMigration(caps: Capabilities): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const id = caps.autoIncrementId;
      await db.schema
        .createTable('intake_log')
        .addColumn('id', id.type, id.build)
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_sid', 'text', (c) => c.notNull())
        .addColumn('line_id', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('caller_index', 'text', (c) => c.notNull())
        .addColumn('caller_enc', 'text', (c) => c.notNull())
        .addColumn('caller_type', 'text', (c) => c.notNull())
        .addColumn('caller_country', 'text')
        .addColumn('body', 'text')
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addUniqueConstraint('intake_log_provider_sid_unique', ['provider', 'provider_sid'])
        .execute();
    },
  };
}
