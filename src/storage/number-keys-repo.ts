import { sql, type Kysely, type RawBuilder } from 'kysely';
import {
  ENCRYPTED_PLACES,
  type BatchOutcome,
  type EncryptedPlace,
  type KeyRotationStore,
  type PlaceUsage,
} from '../privacy/key-rotation.ts';
import { versionPrefix, type StoredNumberKey } from '../privacy/number-vault.ts';
import { appendAudit } from './audit-repo.ts';
import type { Database } from './schema.ts';

/**
 * Where each encrypted place lives. Evidence contents are encrypted only when they hold personal
 * data; plain ones are canonical JSON and start with "{".
 */
const PLACES: Record<EncryptedPlace, { table: string; column: string; plain: boolean }> = {
  'callers.number_enc': { table: 'callers', column: 'number_enc', plain: false },
  'sim_messages.to_enc': { table: 'sim_messages', column: 'to_enc', plain: false },
  'evidence_log.content': { table: 'evidence_log', column: 'content', plain: true },
  'intake_log.caller_enc': { table: 'intake_log', column: 'caller_enc', plain: false },
};

/**
 * The number key versions (number_keys) and the SQL of key rotation. The place queries are built
 * from the fixed map above (table and column names never come from input); they are raw SQL
 * because the query builder cannot type one query over several tables.
 */
export class NumberKeysRepo implements KeyRotationStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async list(): Promise<StoredNumberKey[]> {
    const rows = await this.#db.selectFrom('number_keys').selectAll().orderBy('version').execute();
    return rows.map((r) => ({
      version: Number(r.version),
      wrapped: r.wrapped,
      createdAt: Number(r.created_at),
      activeFrom: Number(r.active_from),
      retiredAt: r.retired_at === null ? null : Number(r.retired_at),
    }));
  }

  async createKey(key: {
    version: number;
    wrapped: string;
    createdAt: number;
    activeFrom: number;
  }): Promise<boolean> {
    const inserted = await this.#db
      .insertInto('number_keys')
      .values({
        version: key.version,
        wrapped: key.wrapped,
        created_at: key.createdAt,
        active_from: key.activeFrom,
        retired_at: null,
      })
      .onConflict((oc) => oc.column('version').doNothing())
      .returning('version')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async retireBelow(version: number, at: number): Promise<number[]> {
    return this.#db.transaction().execute(async (tx) => {
      // Version 1 is derived from the secret and has no row until now.
      const one = await tx
        .insertInto('number_keys')
        .values({ version: 1, wrapped: '', created_at: 0, active_from: 0, retired_at: at })
        .onConflict((oc) => oc.column('version').doNothing())
        .returning('version')
        .execute();
      const others = await tx
        .updateTable('number_keys')
        .set({ retired_at: at })
        .where('version', '<', version)
        .where('retired_at', 'is', null)
        .returning('version')
        .execute();
      return [...one, ...others].map((r) => Number(r.version)).sort((a, b) => a - b);
    });
  }

  async destroyKey(version: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('number_keys')
      .set({ wrapped: '' })
      .where('version', '=', version)
      .where('version', '>=', 2)
      .where('retired_at', 'is not', null)
      .where('wrapped', '!=', '')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async usage(versions: readonly number[]): Promise<PlaceUsage[]> {
    const out: PlaceUsage[] = [];
    for (const place of ENCRYPTED_PLACES) {
      const p = PLACES[place];
      const column = sql.ref(p.column);
      const counts = versions.map(
        (v, i) =>
          sql`count(case when ${column} like ${`${versionPrefix(v)}%`} then 1 end) as ${sql.ref(`v${i}`)}`,
      );
      const { rows } = await sql<Record<string, number | string>>`select ${sql.join([
        sql`count(*) as total`,
        ...counts,
      ])} from ${sql.table(p.table)} where ${encrypted(p)}`.execute(this.#db);
      const row = rows[0] ?? {};
      out.push({
        place,
        total: Number(row.total ?? 0),
        byVersion: new Map(versions.map((v, i) => [v, Number(row[`v${i}`] ?? 0)])),
      });
    }
    return out;
  }

  async reencryptBatch(
    place: EncryptedPlace,
    target: number,
    afterId: number,
    limit: number,
    convert: (stored: string) => string,
  ): Promise<BatchOutcome> {
    const p = PLACES[place];
    const column = sql.ref(p.column);
    const table = sql.table(p.table);
    return this.#db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ id: number; value: string }>`select id, ${column} as value
        from ${table}
        where id > ${afterId} and ${encrypted(p)} and ${column} not like ${`${versionPrefix(target)}%`}
        order by id limit ${limit}`.execute(tx);
      const outcome: BatchOutcome = {
        seen: rows.length,
        updated: 0,
        changed: 0,
        unreadable: [],
        lastId: afterId,
      };
      for (const row of rows) {
        const id = Number(row.id);
        outcome.lastId = id;
        let next: string;
        try {
          next = convert(row.value);
        } catch {
          outcome.unreadable.push(id);
          continue;
        }
        // Compare-and-set: a value changed since it was read is left for the next pass.
        const result = await sql`update ${table} set ${column} = ${next}
          where id = ${id} and ${column} = ${row.value}`.execute(tx);
        if (Number(result.numAffectedRows ?? 0) > 0) outcome.updated++;
        else outcome.changed++;
      }
      return outcome;
    });
  }

  audit(entry: {
    at: number;
    actor: string;
    action: string;
    target: string;
    detail: Record<string, unknown>;
  }): Promise<void> {
    return appendAudit(this.#db, entry);
  }
}

/** Rows of a place that hold ciphertext: not null, and not plain JSON where plain values exist. */
function encrypted(p: { column: string; plain: boolean }): RawBuilder<unknown> {
  const column = sql.ref(p.column);
  return p.plain
    ? sql`${column} is not null and ${column} not like ${'{%'}`
    : sql`${column} is not null`;
}
