import type { ColumnDataType, ColumnDefinitionBuilder } from 'kysely';

/**
 * What differs between SQLite and PostgreSQL, stated once. Repositories and migrations read these
 * flags instead of testing the dialect's name.
 */
export interface Capabilities {
  /** `FOR UPDATE SKIP LOCKED` exists, so several workers can claim rows side by side. */
  skipLocked: boolean;
  /**
   * Rows read before an update must be locked (`FOR UPDATE`), as other transactions may change them
   * meanwhile. SQLite runs one writer at a time, so it needs (and has) no row locks.
   */
  rowLocks: boolean;
  /** Several processes may share the database (SQLite allows one worker process). */
  multiProcess: boolean;
  /**
   * Tables live in named schemas (PostgreSQL). Migration bookkeeping must then be pinned to the
   * current schema, or Kysely mistakes another schema's tables for ours.
   */
  namedSchemas: boolean;
  /** Write transactions that can usefully run at once (SQLite has one writer). */
  parallelWriters: number;
  /**
   * How a transaction commits without waiting for the disk: PostgreSQL per transaction
   * (`SET LOCAL synchronous_commit = off`), SQLite per connection (`PRAGMA synchronous`).
   */
  unsyncedCommit: 'transaction' | 'connection';
  /**
   * The planner's statistics must be refreshed by hand while tables grow fast. PostgreSQL's
   * autovacuum analyzes a table at best once a minute, and until then plans a table that grew from
   * nothing to thousands of rows as if it were still empty (and may pick an index that reads all
   * of it). SQLite's planner uses no statistics unless asked to.
   */
  analyzeOnGrowth: boolean;
  autoIncrementId: {
    type: ColumnDataType;
    build: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  };
  /**
   * How a list of rows is sent in a fixed number of parameters (row-list.ts): one JSON array read
   * by `json_each` (SQLite), or one array per column read by `unnest` (PostgreSQL).
   */
  rowList: 'json' | 'arrays';
  /** Column type for raw bytes (uploaded recordings); both drivers read it back as a Buffer. */
  bytesType: ColumnDataType;
  /**
   * The database works on this process's event loop (SQLite, in process and synchronous): webhooks
   * wait while a query runs. PostgreSQL works in processes of its own, on other cores.
   */
  inProcess: boolean;
}

export const SQLITE_CAPABILITIES: Capabilities = {
  skipLocked: false,
  rowLocks: false,
  multiProcess: false,
  namedSchemas: false,
  parallelWriters: 1,
  unsyncedCommit: 'connection',
  analyzeOnGrowth: false,
  autoIncrementId: { type: 'integer', build: (c) => c.primaryKey().autoIncrement() },
  rowList: 'json',
  bytesType: 'blob',
  inProcess: true,
};

export const POSTGRES_CAPABILITIES: Capabilities = {
  skipLocked: true,
  rowLocks: true,
  multiProcess: true,
  namedSchemas: true,
  parallelWriters: 8,
  unsyncedCommit: 'transaction',
  analyzeOnGrowth: true,
  autoIncrementId: { type: 'bigserial', build: (c) => c.primaryKey() },
  rowList: 'arrays',
  bytesType: 'bytea',
  inProcess: false,
};
