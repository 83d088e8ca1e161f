import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createReadStream, createWriteStream, openSync } from 'node:fs';
import { chmod, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, SqliteDialect, sql } from 'kysely';
import { NonmerciError } from '../domain/errors.ts';
import type { Storage } from './db.ts';
import { appliedMigrations, knownMigrations, migrateToLatest, migrateUpTo } from './migrate.ts';
import type { Database } from './schema.ts';

/*
 * A backup is one gzip file holding JSON Lines, the same whichever database wrote it and whichever
 * reads it back:
 *
 *   gzip member 1   {"format":"nonmerci-backup","version":1,"createdAt":…,"sourceDialect":…,
 *                    "migrations":[…],"tables":[{"name","columns","types","rows"}…],
 *                    "sequences":{…},"contentBytes":…,"sha256":…}
 *   gzip member 2   {"table":"lines","columns":[…],"types":[…]}     one line per table, then
 *                   [1,"+33939000001",…]                             one JSON array per row
 *                   …
 *
 * Tables come parents first, so rows restore in order with foreign keys on. Values are JSON null,
 * numbers (every integer, BIGINT included, is a safe integer: nonmerci reads them as numbers on
 * both databases), strings, and {"base64":…} for bytes. `sha256` and `contentBytes` cover every
 * byte after the header line (`zcat FILE | tail -n +2 | sha256sum` prints the same digest); gzip's
 * own checksums catch a damaged header. The header is written last, as its own gzip member in
 * front of the rows, so a backup streams: no table is ever held in memory.
 */

export const BACKUP_FORMAT = 'nonmerci-backup';
export const BACKUP_VERSION = 1;

type Dialect = 'sqlite' | 'postgres';
type ColumnType = 'integer' | 'real' | 'text' | 'blob';

interface TableShape {
  name: string;
  columns: string[];
  types: ColumnType[];
  /** The column whose values the database generates (autoincrement, serial), if any. */
  serial: string | null;
}

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  createdAt: string;
  sourceDialect: Dialect;
  /** Migrations applied to the database backed up, in order: the shape of its tables. */
  migrations: string[];
  tables: { name: string; columns: string[]; types: ColumnType[]; rows: number }[];
  /** Highest id handed out per table, rows deleted since included: a restore never reuses one. */
  sequences: Record<string, number>;
  contentBytes: number;
  sha256: string;
  note: string;
}

/** A backup that cannot be made or restored; the message says why and what to do. */
export class BackupError extends NonmerciError {
  constructor(
    code:
      'backup_failed' | 'backup_damaged' | 'backup_newer' | 'backup_not_empty' | 'backup_secret',
    message: string,
  ) {
    super(code, message);
  }
}

/** Tables that rows of other tables point to come first; tables unknown here follow, by name. */
const TABLE_ORDER: readonly (keyof Database)[] = [
  'lines',
  'callers',
  'contacts',
  'intake_log',
  'replies',
  'shield_periods',
  'budget_periods',
  'sim_messages',
  'nonmerci_settings',
  'rules',
  'audit_log',
  'alerts',
  'users',
  'sessions',
  'voice_recordings',
  'evidence_log',
  'evidence_heads',
  'evidence_chain',
  'evidence_holds',
  'number_keys',
];
const BOOKKEEPING = new Set(['nonmerci_migrations', 'nonmerci_migrations_lock']);
const LAST_BACKUP_KEY = 'last_backup';
/** Rows read or written at a time, and bound parameters per insert (both databases take this). */
const BATCH_ROWS = 1000;
const MAX_PARAMETERS = 30_000;
/** Longer than any line a backup holds (a 5 MB recording in base64): beyond it the file is damaged. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

// ── Where the two databases differ ─────────────────────────────────────────────────────────────

/** The catalog queries and the few statements that differ between SQLite and PostgreSQL. */
interface Catalog {
  dialect: Dialect;
  /** Data tables (migration bookkeeping left out) with their columns in order. */
  tables(db: Kysely<Database>): Promise<TableShape[]>;
  /** The highest value each table's generated column handed out so far. */
  sequences(db: Kysely<Database>, tables: TableShape[]): Promise<Record<string, number>>;
  /** Makes the next generated value of `table` come after `value`. */
  setSequence(db: Kysely<Database>, table: TableShape, value: number): Promise<void>;
  /** Keeps every other session off these tables until the restore commits. */
  lock(db: Kysely<Database>, tables: TableShape[]): Promise<void>;
  /** Refreshes the planner's statistics after a restore. */
  analyze(db: Kysely<Database>, tables: TableShape[]): Promise<void>;
}

function columnType(declared: string, where: string): ColumnType {
  const t = declared.toLowerCase();
  if (t.includes('int')) return 'integer';
  if (/char|text|clob/.test(t)) return 'text';
  if (t === 'blob' || t === 'bytea') return 'blob';
  if (/real|floa|doub|numeric/.test(t)) return 'real';
  throw new BackupError(
    'backup_failed',
    `${where} has the type ${declared}, which backups do not handle: nothing was written.`,
  );
}

const SQLITE_CATALOG: Catalog = {
  dialect: 'sqlite',
  async tables(db) {
    const tables = await sql<{ name: string; sql: string }>`
      select name, sql from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'`.execute(
      db,
    );
    const shapes: TableShape[] = [];
    for (const t of tables.rows) {
      if (BOOKKEEPING.has(t.name)) continue;
      const columns = await sql<{ name: string; type: string; pk: number }>`
        select name, type, pk from pragma_table_info(${t.name}) order by cid`.execute(db);
      shapes.push({
        name: t.name,
        columns: columns.rows.map((c) => c.name),
        types: columns.rows.map((c) => columnType(c.type, `Column ${c.name} of ${t.name}`)),
        serial: /autoincrement/i.test(t.sql)
          ? (columns.rows.find((c) => c.pk === 1)?.name ?? null)
          : null,
      });
    }
    return shapes;
  },
  async sequences(db, tables) {
    if (!tables.some((t) => t.serial)) return {};
    const rows = await sql<{
      name: string;
      seq: number;
    }>`select name, seq from sqlite_sequence`.execute(db);
    return Object.fromEntries(rows.rows.map((r) => [r.name, Number(r.seq)]));
  },
  async setSequence(db, table, value) {
    await sql`delete from sqlite_sequence where name = ${table.name}`.execute(db);
    if (value > 0)
      await sql`insert into sqlite_sequence (name, seq) values (${table.name}, ${value})`.execute(
        db,
      );
  },
  // One writer at a time: the restore's transaction holds the write lock from its first statement.
  lock: () => Promise.resolve(),
  analyze: () => Promise.resolve(),
};

const POSTGRES_CATALOG: Catalog = {
  dialect: 'postgres',
  async tables(db) {
    // pg_catalog rather than information_schema: the same answer, many times faster.
    const rows = await sql<{
      table_name: string;
      column_name: string;
      data_type: string;
      generated: boolean;
    }>`
      select c.relname as table_name, a.attname as column_name,
        format_type(a.atttypid, a.atttypmod) as data_type,
        (a.attidentity <> '' or coalesce(pg_get_expr(d.adbin, d.adrelid) like 'nextval(%', false))
          as generated
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
      where n.nspname = current_schema() and c.relkind in ('r', 'p')
      order by c.relname, a.attnum`.execute(db);
    const shapes = new Map<string, TableShape>();
    for (const r of rows.rows) {
      if (BOOKKEEPING.has(r.table_name)) continue;
      let shape = shapes.get(r.table_name);
      if (!shape) {
        shape = { name: r.table_name, columns: [], types: [], serial: null };
        shapes.set(r.table_name, shape);
      }
      shape.columns.push(r.column_name);
      shape.types.push(columnType(r.data_type, `Column ${r.column_name} of ${r.table_name}`));
      if (r.generated) shape.serial = r.column_name;
    }
    return [...shapes.values()];
  },
  async sequences(db, tables) {
    const found: Record<string, number> = {};
    for (const t of tables) {
      if (!t.serial) continue;
      const { rows } = await sql<{ last: number | null }>`
        select pg_sequence_last_value(pg_get_serial_sequence(quote_ident(${t.name}), ${t.serial})::regclass) as last`.execute(
        db,
      );
      found[t.name] = Number(rows[0]?.last ?? 0);
    }
    return found;
  },
  async setSequence(db, table, value) {
    await sql`select setval(pg_get_serial_sequence(quote_ident(${table.name}), ${table.serial}), ${Math.max(value, 1)}, ${value > 0})`.execute(
      db,
    );
  },
  async lock(db, tables) {
    await sql`lock table ${sql.join(tables.map((t) => sql.table(t.name)))} in access exclusive mode`.execute(
      db,
    );
  },
  async analyze(db, tables) {
    await sql`analyze ${sql.join(tables.map((t) => sql.table(t.name)))}`.execute(db);
  },
};

function catalogOf(db: Kysely<Database>): Catalog {
  return db.getExecutor().adapter instanceof PostgresAdapter ? POSTGRES_CATALOG : SQLITE_CATALOG;
}

function inOrder(tables: TableShape[]): TableShape[] {
  const rank = (name: string) => {
    const i = (TABLE_ORDER as readonly string[]).indexOf(name);
    return i === -1 ? TABLE_ORDER.length : i;
  };
  return [...tables].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

// ── Consistent snapshots ───────────────────────────────────────────────────────────────────────

/** A consistent view of the whole database, and its rows table by table, in batches. */
interface Snapshot {
  db: Kysely<Database>;
  catalog: Catalog;
  rows(table: TableShape): AsyncIterable<unknown[][]> | Iterable<unknown[][]>;
}

/**
 * SQLite: `VACUUM INTO` copies the database as of one read transaction while the server keeps
 * writing (WAL), into a private file beside the backup; rows are then read from the copy.
 */
async function sqliteSnapshot<T>(
  storage: Storage,
  scratch: string,
  fn: (s: Snapshot) => Promise<T>,
): Promise<T> {
  closeSync(openSync(scratch, 'wx', 0o600));
  await sql`vacuum into ${scratch}`.execute(storage.db);
  const copy = new SQLite(scratch, { readonly: true, fileMustExist: true });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: copy }) });
  try {
    return await fn({
      db,
      catalog: SQLITE_CATALOG,
      *rows(table) {
        const statement = copy
          .prepare(
            `select ${table.columns.map(quoted).join(', ')} from ${quoted(table.name)} order by 1`,
          )
          .raw(true);
        let batch: unknown[][] = [];
        for (const row of statement.iterate() as IterableIterator<unknown[]>) {
          batch.push(row);
          if (batch.length === BATCH_ROWS) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
      },
    });
  } finally {
    await db.destroy();
  }
}

/** PostgreSQL: one REPEATABLE READ, READ ONLY transaction reads every table through a cursor. */
async function postgresSnapshot<T>(storage: Storage, fn: (s: Snapshot) => Promise<T>): Promise<T> {
  return storage.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((tx) =>
      fn({
        db: tx,
        catalog: POSTGRES_CATALOG,
        async *rows(table) {
          await sql`declare nonmerci_backup no scroll cursor for select ${sql.join(
            table.columns.map((c) => sql.ref(c)),
          )} from ${sql.table(table.name)} order by 1`.execute(tx);
          for (;;) {
            const { rows } = await sql<Record<string, unknown>>`fetch forward ${sql.lit(
              BATCH_ROWS,
            )} from nonmerci_backup`.execute(tx);
            if (rows.length === 0) break;
            yield rows.map((row) => table.columns.map((c) => row[c]));
          }
          await sql`close nonmerci_backup`.execute(tx);
        },
      }),
    );
}

// ── Writing ────────────────────────────────────────────────────────────────────────────────────

function encodeValue(value: unknown, type: ColumnType, where: () => string): unknown {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (type === 'integer' ? Number.isSafeInteger(value) : Number.isFinite(value)) return value;
  } else if (value instanceof Uint8Array) {
    return { base64: Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64') };
  }
  throw new BackupError(
    'backup_failed',
    `${where()} holds ${typeof value === 'number' ? value : `a value of type ${typeof value}`}, which a backup cannot keep exactly: nothing was written.`,
  );
}

/** Gzip'd JSON Lines to a private file, hashed as written, waiting whenever gzip is behind. */
class BodyWriter {
  readonly #gzip = createGzip();
  readonly #done: Promise<void>;
  readonly #hash = createHash('sha256');
  #parts: string[] = [];
  #pending = 0;
  bytes = 0;

  constructor(path: string) {
    this.#done = pipeline(this.#gzip, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    // Awaited in end(); a write error also surfaces earlier, through the gzip stream.
    this.#done.catch(() => {});
  }

  line(text: string): void {
    this.#parts.push(text);
    this.#pending += text.length + 1;
  }

  async flush(force = false): Promise<void> {
    if (this.#pending === 0 || (!force && this.#pending < 256 * 1024)) return;
    const chunk = Buffer.from(`${this.#parts.join('\n')}\n`, 'utf8');
    this.#parts = [];
    this.#pending = 0;
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.#gzip.write(chunk)) await once(this.#gzip, 'drain');
  }

  async end(): Promise<string> {
    await this.flush(true);
    this.#gzip.end();
    await this.#done;
    return this.#hash.digest('hex');
  }
}

/** Streams every table of the snapshot to `path`; returns the header, without a file yet. */
async function writeRows(snapshot: Snapshot, path: string, createdAt: number) {
  const { db, catalog } = snapshot;
  const tables = inOrder(await catalog.tables(db));
  if (!tables.some((t) => t.name === 'nonmerci_settings'))
    throw new BackupError(
      'backup_failed',
      'There is nothing to back up: this database has no nonmerci tables yet.',
    );
  const migrations = (
    await sql<{ name: string }>`select name from nonmerci_migrations order by name`.execute(db)
  ).rows.map((r) => r.name);
  const sequences = await catalog.sequences(db, tables);
  const out = new BodyWriter(path);
  const counted: BackupHeader['tables'] = [];
  for (const table of tables) {
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(
      table.name,
    )}`.execute(db);
    out.line(JSON.stringify({ table: table.name, columns: table.columns, types: table.types }));
    let n = 0;
    for await (const batch of snapshot.rows(table)) {
      for (const row of batch) {
        const cells = row.map((value, i) =>
          encodeValue(value, table.types[i]!, () => `Column ${table.columns[i]} of ${table.name}`),
        );
        out.line(JSON.stringify(cells));
      }
      n += batch.length;
      await out.flush();
    }
    // A snapshot cannot change while it is read; this makes sure of it.
    if (n !== Number(rows[0]?.n))
      throw new Error(`${table.name} changed during the backup (${rows[0]?.n} rows, ${n} read)`);
    counted.push({ name: table.name, columns: table.columns, types: table.types, rows: n });
  }
  const sha256 = await out.end();
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: new Date(createdAt).toISOString(),
    sourceDialect: catalog.dialect,
    migrations,
    tables: counted,
    sequences,
    contentBytes: out.bytes,
    sha256,
    note: 'NONMERCI_SECRET is not in this file: phone numbers stay encrypted, and restoring it needs the same secret.',
  };
  return header;
}

export interface BackupResult {
  /** Absolute path of the backup written. */
  file: string;
  /** Its size on disk. */
  bytes: number;
  header: BackupHeader;
}

/**
 * Writes a backup of the whole database to `file` while the hotline keeps running: one consistent
 * snapshot, written to a private temporary file beside it (mode 0600), synced, then renamed over
 * `file`. Records it as the last backup (see lastBackup).
 */
export async function writeBackup(
  storage: Storage,
  file: string,
  now: () => number = Date.now,
): Promise<BackupResult> {
  const target = resolve(file);
  const folder = dirname(target);
  const folderStat = await stat(folder).catch(() => null);
  if (!folderStat?.isDirectory())
    throw new BackupError(
      'backup_failed',
      `The folder ${folder} does not exist: create it, or write the backup elsewhere.`,
    );
  const temp = join(folder, `.${basename(target)}.${randomBytes(6).toString('hex')}`);
  const rowsFile = `${temp}.rows`;
  const scratch = `${temp}.snapshot`;
  try {
    const createdAt = now();
    const catalog = catalogOf(storage.db);
    const header =
      catalog.dialect === 'sqlite'
        ? await sqliteSnapshot(storage, scratch, (s) => writeRows(s, rowsFile, createdAt))
        : await postgresSnapshot(storage, (s) => writeRows(s, rowsFile, createdAt));
    await rm(scratch, { force: true });
    const partial = `${temp}.part`;
    const out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
    out.write(gzipSync(`${JSON.stringify(header)}\n`));
    await pipeline(createReadStream(rowsFile), out);
    const handle = await open(partial, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(partial, 0o600);
    await rename(partial, target);
    await syncFolder(folder);
    const bytes = (await stat(target)).size;
    const value = JSON.stringify({ at: createdAt, file: target, bytes });
    await storage.db
      .insertInto('nonmerci_settings')
      .values({ key: LAST_BACKUP_KEY, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
    return { file: target, bytes, header };
  } catch (error) {
    if (error instanceof NonmerciError) throw error;
    const { code, syscall } = error as NodeJS.ErrnoException;
    if (code && syscall)
      throw new BackupError(
        'backup_failed',
        `Cannot write the backup in ${folder} (${(error as Error).message}): nothing was written.`,
      );
    throw error;
  } finally {
    await Promise.all(
      [rowsFile, scratch, `${temp}.part`].map((f) => rm(f, { force: true }).catch(() => {})),
    );
  }
}

/** Makes a rename durable: the folder's entry is synced too (a no-op where folders cannot be). */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => null);
  try {
    await handle?.sync().catch(() => {});
  } finally {
    await handle?.close();
  }
}

/** The last backup written by `nonmerci backup`, as recorded in the database, or null. */
export async function lastBackup(
  db: Kysely<Database>,
): Promise<{ at: number; file: string; bytes: number } | null> {
  const row = await db
    .selectFrom('nonmerci_settings')
    .select('value')
    .where('key', '=', LAST_BACKUP_KEY)
    .executeTakeFirst();
  if (!row) return null;
  try {
    const v = JSON.parse(row.value) as Record<string, unknown>;
    if (typeof v.at === 'number' && typeof v.file === 'string' && typeof v.bytes === 'number')
      return { at: v.at, file: v.file, bytes: v.bytes };
  } catch {
    // A value nonmerci did not write: as if no backup were recorded.
  }
  return null;
}

// ── Reading ────────────────────────────────────────────────────────────────────────────────────

function damaged(file: string, why: string): BackupError {
  return new BackupError(
    'backup_damaged',
    `${file} cannot be restored: ${why}. Nothing was changed. Use another copy of the backup.`,
  );
}

/**
 * The lines of a backup, decompressed as they are read. Bytes after the header line go to
 * `content` (for its digest). Gzip errors and a last line cut short become BackupErrors.
 */
async function* readLines(file: string, content: (bytes: Buffer) => void): AsyncGenerator<string> {
  const source = createReadStream(file);
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  let parts: Buffer[] = [];
  let partBytes = 0;
  let first = true;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl + 1);
        const line = parts.length === 0 ? piece : Buffer.concat([...parts, piece]);
        parts = [];
        partBytes = 0;
        if (first) first = false;
        else content(line);
        yield line.toString('utf8', 0, line.length - 1);
        start = nl + 1;
      }
      if (start < chunk.length) {
        parts.push(chunk.subarray(start));
        partBytes += chunk.length - start;
        if (partBytes > MAX_LINE_BYTES) throw damaged(file, 'it holds a line far too long');
      }
    }
  } catch (error) {
    if (error instanceof NonmerciError) throw error;
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') throw new BackupError('backup_damaged', `There is no file ${file}.`);
    if (code?.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED')
      throw damaged(
        file,
        message.includes('incorrect header')
          ? 'it is not a nonmerci backup (not a gzip file)'
          : `it is damaged or incomplete (gzip: ${message})`,
      );
    throw error;
  } finally {
    source.destroy();
  }
  if (parts.length > 0) throw damaged(file, 'it ends in the middle of a line (incomplete)');
}

function parseHeader(file: string, line: string | undefined): BackupHeader {
  let header: Partial<BackupHeader> | null = null;
  try {
    header = JSON.parse(line ?? '') as Partial<BackupHeader> | null;
  } catch {
    // Said below.
  }
  if (typeof header !== 'object' || header?.format !== BACKUP_FORMAT)
    throw damaged(file, 'it is not a nonmerci backup (no header)');
  if (typeof header.version !== 'number' || header.version > BACKUP_VERSION)
    throw new BackupError(
      'backup_newer',
      `${file} was written by a newer nonmerci (backup format ${String(header.version)}): upgrade nonmerci, then restore it.`,
    );
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (
    !strings(header.migrations) ||
    !Array.isArray(header.tables) ||
    !header.tables.every(
      (t) => typeof t?.name === 'string' && strings(t.columns) && count(t.rows),
    ) ||
    typeof header.sha256 !== 'string' ||
    !count(header.contentBytes) ||
    typeof header.sequences !== 'object' ||
    !Object.values(header.sequences ?? {}).every(count)
  )
    throw damaged(file, 'its header is incomplete');
  return header as BackupHeader;
}

function parseTableLine(line: string): { table: string; columns: string[] } | null {
  try {
    const v = JSON.parse(line) as { table?: unknown; columns?: unknown };
    if (typeof v.table === 'string' && Array.isArray(v.columns))
      return { table: v.table, columns: v.columns as string[] };
  } catch {
    // Reported by the caller with the line's number.
  }
  return null;
}

/** A row of `width` values, bytes decoded; null when the line is not one. */
function parseRow(line: string, width: number): unknown[] | null {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return null;
  }
  if (!Array.isArray(row) || row.length !== width) return null;
  for (let i = 0; i < row.length; i++) {
    const v: unknown = row[i];
    if (v === null || typeof v === 'string' || typeof v === 'number') continue;
    const base64 = (v as { base64?: unknown }).base64;
    if (typeof v !== 'object' || typeof base64 !== 'string') return null;
    row[i] = Buffer.from(base64, 'base64');
  }
  return row as unknown[];
}

/**
 * Reads a whole backup and checks it: header, every line, the rows of each table against the
 * header's counts, and the digest and length of the content. `onRow` sees each row as it passes.
 */
async function walkBackup(
  file: string,
  onRow: (table: BackupHeader['tables'][number], row: unknown[]) => Promise<void> | void,
): Promise<BackupHeader> {
  const hash = createHash('sha256');
  let bytes = 0;
  const lines = readLines(file, (b) => {
    hash.update(b);
    bytes += b.length;
  });
  try {
    return await walkLines(file, lines, () => ({ sha256: hash.digest('hex'), bytes }), onRow);
  } finally {
    await lines.return(undefined);
  }
}

async function walkLines(
  file: string,
  lines: AsyncGenerator<string>,
  content: () => { sha256: string; bytes: number },
  onRow: (table: BackupHeader['tables'][number], row: unknown[]) => Promise<void> | void,
): Promise<BackupHeader> {
  const first = await lines.next();
  const header = parseHeader(file, first.done ? undefined : first.value);
  let index = -1;
  let rows = 0;
  let lineNumber = 1;
  const closeTable = () => {
    const expected = header.tables[index];
    if (expected && rows !== expected.rows)
      throw damaged(
        file,
        `it holds ${rows} rows of ${expected.name} where its header says ${expected.rows} (incomplete or altered)`,
      );
  };
  for await (const line of lines) {
    lineNumber++;
    if (line.startsWith('{')) {
      closeTable();
      index++;
      rows = 0;
      const table = parseTableLine(line);
      const expected = header.tables[index];
      if (
        !table ||
        !expected ||
        table.table !== expected.name ||
        table.columns.join(',') !== expected.columns.join(',')
      )
        throw damaged(
          file,
          `it is damaged: line ${lineNumber} does not start the table its header announces`,
        );
      continue;
    }
    const table = header.tables[index];
    const row = table ? parseRow(line, table.columns.length) : null;
    if (!table || !row)
      throw damaged(file, `it is damaged: line ${lineNumber} is not a row of the backup`);
    rows++;
    await onRow(table, row);
  }
  closeTable();
  if (index !== header.tables.length - 1)
    throw damaged(
      file,
      `it holds ${index + 1} tables where its header says ${header.tables.length} (incomplete)`,
    );
  const { sha256, bytes } = content();
  if (bytes !== header.contentBytes || sha256 !== header.sha256)
    throw damaged(file, 'its content does not match its SHA-256 (damaged or altered)');
  return header;
}

export interface CheckedBackup {
  file: string;
  header: BackupHeader;
  /** The check value of the secret the backed-up hotline used (see secret-check.ts), if any. */
  secretCheck: string | null;
}

/** Reads a backup through and checks its integrity, without touching any database. */
export async function checkBackup(file: string): Promise<CheckedBackup> {
  let secretCheck: string | null = null;
  const header = await walkBackup(file, (table, row) => {
    if (table.name !== 'nonmerci_settings') return;
    const key = row[table.columns.indexOf('key')];
    if (key === 'secret_check') secretCheck = String(row[table.columns.indexOf('value')]);
  });
  return { file, header, secretCheck };
}

// ── Restoring ──────────────────────────────────────────────────────────────────────────────────

/** Rows a migration puts in a new database: they do not make it "not empty". */
const countsAsData = (table: string) =>
  table === 'evidence_chain' ? sql`where last_seq > 0` : sql``;

/** Tables of `db` that hold data, with their number of rows. */
async function dataRows(db: Kysely<Database>, tables: TableShape[]) {
  const found: { table: string; rows: number }[] = [];
  for (const t of tables) {
    const { rows } = await sql<{
      n: number;
    }>`select count(*) as n from ${sql.table(t.name)} ${countsAsData(t.name)}`.execute(db);
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) found.push({ table: t.name, rows: n });
  }
  return found;
}

export interface RestoreResult {
  header: BackupHeader;
  /** Rows restored. */
  rows: number;
  /** Rows the database held before (--force removed them). */
  replaced: number;
  /** Migrations applied after loading the rows (a backup from an older version). */
  migratedAfter: string[];
  /** Replies being sent when the backup was made: their lease is now expired. */
  leasesReleased: number;
  /** Replies still to be decided or sent. */
  pendingReplies: number;
}

/**
 * Restores `checked` (see checkBackup) into the database of `storage`, which must hold no data
 * unless `force` (then everything in it is replaced): creates the tables at the backup's migration
 * level, loads every row in one transaction (checked again as it is read: on any mismatch nothing
 * is kept), moves generated ids past every id the backup ever handed out, releases the replies and
 * alerts workers had claimed, then applies the migrations newer than the backup.
 */
export async function restoreBackup(
  storage: Storage,
  checked: CheckedBackup,
  options: { force: boolean; secretCheck: string | null },
): Promise<RestoreResult> {
  const { file, header } = checked;
  const known = knownMigrations(storage);
  const unknown = header.migrations.find((m) => !known.includes(m));
  if (unknown || header.migrations.some((m, i) => known[i] !== m))
    throw new BackupError(
      'backup_newer',
      unknown
        ? `${file} comes from a newer nonmerci (its database has the migration ${unknown}, which this version does not know): upgrade nonmerci, then restore it.`
        : `${file} comes from a database whose migrations do not match this version's: restore it with the nonmerci version that made it.`,
    );
  if (options.secretCheck && checked.secretCheck && checked.secretCheck !== options.secretCheck)
    throw new BackupError(
      'backup_secret',
      `${file} was made by a hotline with another NONMERCI_SECRET: its phone numbers could not be read and its evidence would not verify. Set NONMERCI_SECRET to that hotline's secret (or copy its data folder's "secret" file), then restore again. Nothing was changed.`,
    );
  const catalog = catalogOf(storage.db);
  const applied = await appliedMigrations(storage);
  if (applied.some((m, i) => header.migrations[i] !== m))
    throw new BackupError(
      'backup_newer',
      `This database is already at migration ${applied.at(-1)}, newer than the backup (${header.migrations.at(-1) ?? 'none'}). A backup loads into the tables of its own version: restore it into a new, empty database (nonmerci creates the tables), then start nonmerci, which updates them. Nothing was changed.`,
    );
  const present = await dataRows(storage.db, inOrder(await catalog.tables(storage.db)));
  if (present.length > 0 && !options.force)
    throw new BackupError(
      'backup_not_empty',
      `The database holds data already (${present
        .map((p) => `${p.table}: ${p.rows}`)
        .join(
          ', ',
        )}). Restore into an empty database, or add --force to replace everything in it by the backup. Nothing was changed.`,
    );
  const last = header.migrations.at(-1);
  if (last) await migrateUpTo(storage, last);
  const tables = inOrder(await catalog.tables(storage.db));
  const shapes = new Map(tables.map((t) => [t.name, t]));
  const mismatch =
    tables.length !== header.tables.length ||
    header.tables.some((h) => {
      const t = shapes.get(h.name);
      return !t || [...t.columns].sort().join() !== [...h.columns].sort().join();
    });
  if (mismatch)
    throw new BackupError(
      'backup_newer',
      `The tables of ${file} do not match those this version creates at migration ${last}: restore it with the nonmerci version that made it.`,
    );

  const result = await storage.db.transaction().execute(async (tx) => {
    await catalog.lock(tx, tables);
    for (const t of [...tables].reverse()) await sql`delete from ${sql.table(t.name)}`.execute(tx);
    let batch: unknown[][] = [];
    let current: BackupHeader['tables'][number] | null = null;
    const insert = async () => {
      if (!current || batch.length === 0) return;
      const rows = batch;
      batch = [];
      const columns = sql.join(current.columns.map((c) => sql.ref(c)));
      try {
        await sql`insert into ${sql.table(current.name)} (${columns}) values ${sql.join(
          rows.map((r) => sql`(${sql.join(r)})`),
        )}`.execute(tx);
      } catch (error) {
        throw new BackupError(
          'backup_failed',
          `A row of ${current.name} could not be restored (${(error as Error).message}). Nothing was changed.`,
        );
      }
    };
    let total = 0;
    await walkBackup(file, async (table, row) => {
      if (table !== current) {
        await insert();
        current = table;
      }
      batch.push(row);
      total++;
      if (batch.length >= Math.min(BATCH_ROWS, Math.floor(MAX_PARAMETERS / row.length)))
        await insert();
    });
    await insert();
    for (const t of tables) {
      if (!t.serial) continue;
      const { rows } = await sql<{
        m: number | null;
      }>`select max(${sql.ref(t.serial)}) as m from ${sql.table(t.name)}`.execute(tx);
      await catalog.setSequence(
        tx,
        t,
        Math.max(Number(rows[0]?.m ?? 0), header.sequences[t.name] ?? 0),
      );
    }
    // The workers that held these claims do not work on this database: a claimed reply's lease
    // is expired, so the next worker takes it, checking first with the provider whether it went
    // out (as after a crash); a claimed alert is delivered again.
    const leases = await tx
      .updateTable('replies')
      .set({ lease_until: 0 })
      .where('state', '=', 'sending')
      .executeTakeFirst();
    if (shapes.has('alerts'))
      await tx
        .updateTable('alerts')
        .set({ claimed_until: null })
        .where('claimed_until', 'is not', null)
        .execute();
    const pending = await tx
      .selectFrom('replies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', ['scheduled', 'sending'])
      .executeTakeFirstOrThrow();
    return {
      rows: total,
      leasesReleased: Number(leases.numUpdatedRows),
      pendingReplies: Number(pending.n),
    };
  });
  await catalog.analyze(storage.db, tables);
  const migratedAfter = await migrateToLatest(storage);
  return {
    header,
    replaced: present.reduce((sum, p) => sum + p.rows, 0),
    migratedAfter,
    ...result,
  };
}
