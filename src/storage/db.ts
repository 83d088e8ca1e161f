import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { DatabaseTarget } from '../config/load.ts';
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
        statement = sqlite.prepare(sql);
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

export function openStorage(target: DatabaseTarget, options: { poolSize?: number } = {}): Storage {
  if (target.kind === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    const sqlite = new SQLite(target.path);
    sqlite.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit, so an acknowledged webhook survives a power cut too.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    });
    return {
      db,
      caps: SQLITE_CAPABILITIES,
      describe: `SQLite ${target.path}`,
      close: () => db.destroy(),
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
