import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Capabilities } from '../capabilities.ts';

/**
 * The operator dashboard: accounts and their sessions, contacts marked as evidence, voice
 * recordings uploaded for a line, and when a line's settings were last edited there. Budget settings edited in the dashboard live in
 * nonmerci_settings (key "budget").
 */
export function dashboardMigration(caps: Capabilities): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const id = caps.autoIncrementId;
      await db.schema
        .createTable('users')
        .addColumn('id', id.type, id.build)
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('last_login_at', 'bigint')
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'bigint', (c) => c.notNull())
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sessions_user_idx')
        .on('sessions')
        .columns(['user_id'])
        .execute();

      await db.schema.alterTable('lines').addColumn('settings_edited_at', 'bigint').execute();
      await db.schema.alterTable('contacts').addColumn('evidence_at', 'bigint').execute();
      await db.schema.alterTable('contacts').addColumn('evidence_by', 'text').execute();
      await db.schema
        .createIndex('contacts_received_idx')
        .on('contacts')
        .columns(['received_at'])
        .execute();

      await db.schema
        .createTable('voice_recordings')
        .addColumn('id', id.type, id.build)
        .addColumn('line_id', 'bigint', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull().unique())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('data', caps.bytesType, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
