import { sql } from 'kysely';
import {
  Migrator,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely/migration';
import type { Storage } from './db.ts';
import { coreMigration } from './migrations/001-core.ts';
import { settingsMigration } from './migrations/002-settings.ts';
import { shieldMigration } from './migrations/003-shield.ts';
import { dashboardMigration } from './migrations/004-dashboard.ts';
import { evidenceMigration } from './migrations/005-evidence.ts';
import { numberKeysMigration } from './migrations/006-number-keys.ts';
import { shieldReasonsMigration } from './migrations/007-shield-reasons.ts';
import { intakeLogMigration } from './migrations/008-intake-log.ts';
import { reportedPriceMigration } from './migrations/009-reported-price.ts';
import { quotedMigration } from './migrations/010-quoted.ts';
import { otherMessagesMigration } from './migrations/011-other-messages.ts';
import { dashboardCountsMigration } from './migrations/012-dashboard-counts.ts';
import { raidViewMigration } from './migrations/013-raid-view.ts';

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
    '008-intake-log': intakeLogMigration(storage.caps),
    '009-reported-price': reportedPriceMigration,
    '010-quoted': quotedMigration,
    '011-other-messages': otherMessagesMigration,
    '012-dashboard-counts': dashboardCountsMigration,
    '013-raid-view': raidViewMigration,
  };
}

/** Kysely's migrator over our list, its bookkeeping pinned to the current schema (PostgreSQL). */
async function migratorFor(storage: Storage): Promise<Migrator> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations(storage)) };
  const schema = storage.caps.namedSchemas
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(storage.db)).rows[0]
        ?.schema
    : undefined;
  return new Migrator({
    db: storage.db,
    provider,
    migrationTableName: 'nonmerci_migrations',
    migrationLockTableName: 'nonmerci_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/** Names of the migrations this version knows, in the order they apply. */
export function knownMigrations(storage: Storage): string[] {
  return Object.keys(migrations(storage));
}

/** Names of the migrations already applied to the database, in order. Changes nothing. */
export async function appliedMigrations(storage: Storage): Promise<string[]> {
  const all = await (await migratorFor(storage)).getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}

/**
 * Names of the migrations not applied yet, in order; every one of them for a database without
 * tables. Reads only: it creates no table, not even the migrations' own bookkeeping.
 */
export async function pendingMigrations(storage: Storage): Promise<string[]> {
  const all = await (await migratorFor(storage)).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/**
 * Migrations the database has but this version does not know: it was updated by a newer nonmerci,
 * which this one must not run against. Changes nothing.
 */
export async function unknownMigrations(storage: Storage): Promise<string[]> {
  const all = await (await migratorFor(storage)).getMigrations();
  // Without any migration of ours applied, there is no bookkeeping table to read.
  if (!all.some((m) => m.executedAt !== undefined)) return [];
  const known = new Set(all.map((m) => m.name));
  const { rows } = await sql<{
    name: string;
  }>`select name from nonmerci_migrations order by name`.execute(storage.db);
  return rows.map((r) => r.name).filter((name) => !known.has(name));
}

/** Applies pending migrations; safe to run from several processes at once (Kysely takes a lock). */
export async function migrateToLatest(storage: Storage): Promise<string[]> {
  const migrator = await migratorFor(storage);
  return applied(await migrator.migrateToLatest());
}

/**
 * Applies pending migrations up to `name` included, and no further. A restore loads a backup into
 * the tables as they were when it was made, then applies the later migrations to its rows.
 */
export async function migrateUpTo(storage: Storage, name: string): Promise<string[]> {
  const migrator = await migratorFor(storage);
  const done = (await migrator.getMigrations()).find((m) => m.name === name);
  if (!done) throw new Error(`There is no database migration "${name}".`);
  // Never down: our migrations have no way back.
  if (done.executedAt !== undefined) return [];
  return applied(await migrator.migrateTo(name));
}

function applied({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(
      `Database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
