import { CompiledQuery, type Compilable } from 'kysely';

/** Stands for the i-th argument of a precompiled query. */
class Slot {
  readonly index: number;
  constructor(index: number) {
    this.index = index;
  }
}

/** A parameter placeholder for `precompile`, typed as the value it stands for. */
export function slot<T>(index: number): T {
  return new Slot(index) as unknown as T;
}

/** Anything that runs compiled queries: the Kysely instance or a transaction. */
export interface Executor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<{ rows: R[] }>;
}

/**
 * Compiles a Kysely query once, with `slot(i)` where arguments go, and returns a function that runs
 * it with fresh arguments. Kysely otherwise rebuilds and recompiles a query on every call, which on
 * the webhook path cost as much as running the statements; the few queries there are compiled at
 * start instead. Everything else keeps the plain query builder.
 */
export function precompile<Args extends readonly unknown[], Row>(
  query: Compilable<Row>,
): (db: Executor, ...args: Args) => Promise<Row[]> {
  const { sql, parameters } = query.compile();
  return async (db, ...args) => {
    const values = parameters.map((p) => (p instanceof Slot ? args[p.index] : p));
    return (await db.executeQuery<Row>(CompiledQuery.raw(sql, values))).rows;
  };
}
