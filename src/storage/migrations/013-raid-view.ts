import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The raid room counts a line's contacts over the raid, by caller, outcome and reply, every few
 * seconds while it is open. The index on line and time becomes one that also holds those columns,
 * so the room counts and groups them from the index alone instead of reading each contact's row:
 * on SQLite, a raid of 150,000 contacts is viewed in half the time (`npm run bench:raid-view`).
 * It replaces the narrower index, which it starts with.
 */
export const raidViewMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('contacts_line_window_idx')
      .on('contacts')
      .columns(['line_id', 'received_at', 'caller_id', 'outcome', 'reply_id'])
      .execute();
    await db.schema.dropIndex('contacts_line_time_idx').execute();
  },
};
