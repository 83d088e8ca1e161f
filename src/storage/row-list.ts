import { sql, type RawBuilder } from 'kysely';
import type { Capabilities } from './capabilities.ts';

/** The SQL types a row list's columns are read as. */
export type RowListType = 'bigint' | 'text';

export type RowValue = string | number | null;

/**
 * A list of rows as a table (columns `column1`, `column2`, … as in a VALUES list) sent in a fixed
 * number of parameters, whatever the number of rows: SQLite reads one JSON array of arrays
 * (`json_each`), PostgreSQL one array per column (`unnest`). A VALUES list has a parameter per
 * value, so each batch size is a statement of its own, which both databases prepare and keep: a
 * flood left about 300 of them on SQLite's connection (up to 37 KB of SQL each, 1.2 MB in all),
 * and a prepared statement takes about ten times its text in memory: some 12 MB. This one
 * statement is prepared once.
 *
 * Use it in parentheses with an alias: `FROM ${rowList(...)} AS v`. Values are strings, numbers
 * or null, in the order of `types`; texts must be well-formed (the intake's fields are).
 */
export function rowList(
  caps: Pick<Capabilities, 'rowList'>,
  types: readonly RowListType[],
  rows: ReadonlyArray<readonly RowValue[]>,
): RawBuilder<unknown> {
  const names = types.map((_, i) => `column${i + 1}`);
  const parameters = rowListParameters(caps, types, rows);
  if (caps.rowList === 'json') {
    // `->>` gives a JSON number as an INTEGER (or REAL), a string as TEXT, null as NULL.
    const columns = names.map((name, i) => sql.raw(`value->>${i} AS ${name}`));
    return sql`(SELECT ${sql.join(columns)} FROM json_each(${parameters[0]}))`;
  }
  const arrays = types.map((type, i) => sql`CAST(${parameters[i]} AS ${sql.raw(type)}[])`);
  return sql`(SELECT * FROM unnest(${sql.join(arrays)}) AS u(${sql.raw(names.join(', '))}))`;
}

/**
 * The parameters `rowList` sends for these rows, in its order: a statement compiled once with a
 * row list (its text is the same for any rows) runs again with these alone.
 */
export function rowListParameters(
  caps: Pick<Capabilities, 'rowList'>,
  types: readonly RowListType[],
  rows: ReadonlyArray<readonly RowValue[]>,
): unknown[] {
  if (caps.rowList === 'json') return [JSON.stringify(rows)];
  return types.map((_, i) => rows.map((r) => r[i] ?? null));
}

/**
 * The rows as the source of an `INSERT … SELECT` (Kysely's `.columns([…]).expression(…)`), in the
 * order of the insert's columns. The WHERE keeps SQLite from reading an `ON CONFLICT` that follows
 * as a join constraint.
 */
export function selectRows(
  caps: Pick<Capabilities, 'rowList'>,
  types: readonly RowListType[],
  rows: ReadonlyArray<readonly RowValue[]>,
): RawBuilder<unknown> {
  return sql`SELECT * FROM ${rowList(caps, types, rows)} AS v WHERE true`;
}

/** An insert's columns, each with the type its values are sent as: `.columns(names)`, `types`. */
export function insertColumns<const Name extends string>(
  pairs: ReadonlyArray<readonly [Name, RowListType]>,
): { names: Name[]; types: RowListType[] } {
  return { names: pairs.map(([name]) => name), types: pairs.map(([, type]) => type) };
}
