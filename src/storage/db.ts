import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { ensurePrivateFolder, tightenMode, type DatabaseTarget } from '../config/load.ts';
import { ConfigError } from '../domain/errors.ts';
import { Checkpointer } from './checkpointer.ts';
import { POSTGRES_CAPABILITIES, SQLITE_CAPABILITIES, type Capabilities } from './capabilities.ts';
import type { Database } from './schema.ts';

export interface Storage {
  db: Kysely<Database>;
  caps: Capabilities;
  /** Where the data lives, with credentials removed, for start-up messages. */
  describe: string;
  close(): Promise<void>;
}

// BIGINT and NUMERIC come back from pg as strings by default; our values (epoch ms, micro-units,
// ids) all fit in a double, so read them as numbers like SQLite does.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * How Kysely's transactions begin on SQLite. Every transaction of nonmerci writes, so it takes the
 * write lock at once, waiting (busy_timeout) for another process's commit: begun the default way,
 * a transaction that read before writing failed at once with SQLITE_BUSY whenever another process
 * (a command run beside the server: a backup, a pause) had committed in between.
 */
const BEGIN_WRITING = 'begin immediate';

/**
 * Kysely's SQLite driver prepares every statement anew; our queries come in a few dozen shapes, so
 * prepared statements are kept and reused (better-sqlite3 statements are reusable once finished,
 * and Kysely never runs two at once on its single connection).
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= 1000) cache.clear();
        statement = sqlite.prepare(sql === 'begin' ? BEGIN_WRITING : sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * PostgreSQL plans an unnamed statement anew on every call; naming each statement after its text
 * makes the server parse and plan it once per connection, then reuse it. Our SQL comes in a few
 * dozen shapes, so the number of prepared statements per connection stays small.
 */
class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (
      typeof text === 'string' &&
      Array.isArray(values) &&
      args.length === 2 &&
      PREPARABLE.test(text)
    ) {
      const name = `nm_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      return (super.query as (...a: unknown[]) => never)({ name, text, values });
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/**
 * Opens the SQLite file, readable by its owner only: it holds what callers wrote and the evidence.
 * The file is created 0600 before SQLite opens it, because SQLite gives its -wal and -shm files
 * the mode of the database file; files left wider by an older version are tightened. The data
 * folder is made 0700; a folder named in DATABASE_URL only when nonmerci creates it (an existing
 * one is the operator's). A path SQLite cannot use stops the start with a ConfigError.
 */
function openSqlite(target: Extract<DatabaseTarget, { kind: 'sqlite' }>): SQLite.Database {
  if (target.path === ':memory:') {
    const memory = new SQLite(target.path);
    memory.pragma('journal_mode = WAL');
    return memory;
  }
  const variable = target.inDataDir ? 'NONMERCI_DATA_DIR' : 'DATABASE_URL';
  const folder = dirname(target.path);
  if (target.inDataDir || !existsSync(folder)) ensurePrivateFolder(folder, variable);
  let sqlite: SQLite.Database | null = null;
  try {
    closeSync(openSync(target.path, 'a', 0o600));
    tightenMode(target.path, 0o600);
    sqlite = new SQLite(target.path);
    sqlite.pragma('journal_mode = WAL');
    for (const suffix of ['-wal', '-shm'])
      if (existsSync(target.path + suffix)) tightenMode(target.path + suffix, 0o600);
    return sqlite;
  } catch (error) {
    sqlite?.close();
    throw new ConfigError(
      variable,
      `cannot open the SQLite database ${target.path} (${(error as Error).message}); ${
        target.inDataDir
          ? 'set NONMERCI_DATA_DIR to a folder this user may write to'
          : 'write sqlite://PATH of a SQLite file this user may write, or of one to create'
      }`,
    );
  }
}

export interface StorageOptions {
  /** PostgreSQL connections in the pool. */
  poolSize?: number;
  /** SQLite: checkpoint the WAL on a thread of its own (the default), not on the event loop. */
  checkpointThread?: boolean;
}

export function openStorage(target: DatabaseTarget, options: StorageOptions = {}): Storage {
  if (target.kind === 'sqlite') {
    const sqlite = openSqlite(target);
    // FULL syncs the WAL on every commit, so an acknowledged webhook survives a power cut too.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // SQLite's own lower() folds the letters A to Z only: a search for "écoute" missed a text
    // written "ÉCOUTE". JavaScript's, as PostgreSQL's, folds every letter. It is used by searches
    // for words (about 50 ms over 150,000 texts, against 11 with SQLite's).
    sqlite.function('lower', { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? text.toLowerCase() : text,
    );
    const checkpointer =
      target.path === ':memory:' || options.checkpointThread === false
        ? null
        : Checkpointer.start(sqlite, target.path);
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    });
    return {
      db,
      caps: SQLITE_CAPABILITIES,
      describe: `SQLite ${target.path}`,
      async close() {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    Client: PreparingClient,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const url = new URL(target.url);
  return {
    db,
    caps: POSTGRES_CAPABILITIES,
    describe: `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`,
    close: () => db.destroy(),
  };
}
