/** Rows erased per transaction, so a large erase never holds the database for long. */
export const ERASE_BATCH = 500;

/**
 * A list for `in (…)`, padded to a power of two by repeating its last value. PostgreSQL prepares
 * every distinct statement text once per connection (db.ts); padding keeps the number of texts an
 * erase produces to a handful instead of one per list length.
 */
export function padded<T>(list: readonly T[]): T[] {
  if (list.length === 0) return [];
  let size = 1;
  while (size < list.length) size *= 2;
  return [...list, ...Array<T>(size - list.length).fill(list.at(-1)!)];
}
