import { sql } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Storage } from './db.ts';
import { coreMigration } from './migrations/001-core.ts';
import { settingsMigration } from './migrations/002-settings.ts';
import { shieldMigration } from './migrations/003-shield.ts';
import { dashboardMigration } from './migrations/004-dashboard.ts';
import { evidenceMigration } from './migrations/005-evidence.ts';
import { numberKeysMigration } from './migrations/006-number-keys.ts';
import { shieldReasonsMigration } from './migrations/007-shield-reasons.ts';

/** The one list of migrations, in order, shared by SQLite and PostgreSQL. */
function migrations(storage: Storage): Record<string, Migration> {
  return {
    '001-core': coreMigration(storage.caps),
    '002-settings': settingsMigration,
    '003-shield': shieldMigration(storage.caps),
    '004-dashboard': dashboardMigration(storage.caps),
    '005-evidence': evidenceMigration(storage.caps),
    '006-number-keys': numberKeysMigration,
    '007-shield-reasons': shieldReasonsMigration,
  };
}

/** Applies pending migrations; safe to run from several processes at once (Kysely takes a lock). */
export async function migrateToLatest(storage: Storage): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations(storage)) };
  const schema = storage.caps.namedSchemas
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(storage.db)).rows[0]
        ?.schema
    : undefined;
  const migrator = new Migrator({
    db: storage.db,
    provider,
    migrationTableName: 'nonmerci_migrations',
    migrationLockTableName: 'nonmerci_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(
      `Database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
