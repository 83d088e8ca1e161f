import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * The contact of `column` (its comma-separated `labels`) carries one of `labels`. Never null:
 * calls and clean texts have none, so the negation of this is never null either.
 */
export function hasLabel(column: string, labels: readonly string[]): RawBuilder<SqlBool> {
  const list = sql`(',' || coalesce(${sql.ref(column)}, '') || ',')`;
  return sql<SqlBool>`(${sql.join(
    labels.map((l) => sql`${list} like ${sql.lit(`%,${l},%`)}`),
    sql` or `,
  )})`;
}
