import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Why each shield period started and ended, with the figures (policy/shield-reason.ts, as JSON),
 * so that screens and reports can say it in their reader's language; an index for the paced
 * replies of a line, which the pacing reads in order of priority; and one on when callers were
 * first seen, from which the slow-raid detector counts hostile newcomers.
 */
export const shieldReasonsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('shield_periods').addColumn('reason', 'text').execute();
    await db.schema.alterTable('shield_periods').addColumn('end_reason', 'text').execute();
    await db.schema
      .createIndex('replies_line_reason_idx')
      .on('replies')
      .columns(['line_id', 'state', 'reason', 'priority'])
      .execute();
    await db.schema
      .createIndex('callers_first_seen_idx')
      .on('callers')
      .columns(['first_seen_at'])
      .execute();
  },
};
