import { CompiledQuery, sql, type Kysely, type Selectable } from 'kysely';
import type { IntakeLogStore, LogEntry, LoggedEvent } from '../intake/log.ts';
import type { Capabilities } from './capabilities.ts';
import type { Executor } from './compiled-query.ts';
import { insertColumns, rowList, rowListParameters, type RowValue } from './row-list.ts';
import type { Database, IntakeLogTable } from './schema.ts';

/** The log's columns as the webhook writes them, with their SQL types. */
const COLUMNS = insertColumns([
  ['provider', 'text'],
  ['provider_sid', 'text'],
  ['line_id', 'bigint'],
  ['kind', 'text'],
  ['received_at', 'bigint'],
  ['caller_index', 'text'],
  ['caller_enc', 'text'],
  ['caller_type', 'text'],
  ['caller_country', 'text'],
  ['body', 'text'],
]);

/** An event is set aside after this many failed attempts to record it (see `setAside`). */
export const MAX_FAILURES = 5;

function values(e: LogEntry): RowValue[] {
  return [
    e.provider,
    e.providerSid,
    e.lineId,
    e.kind,
    e.receivedAt,
    e.callerIndex,
    e.callerEnc,
    e.callerType,
    e.callerCountry,
    e.body,
  ];
}

export function toLoggedEvent(row: Selectable<IntakeLogTable>): LoggedEvent {
  return {
    id: Number(row.id),
    provider: row.provider,
    providerSid: row.provider_sid,
    lineId: Number(row.line_id),
    kind: row.kind as LogEntry['kind'],
    receivedAt: Number(row.received_at),
    callerIndex: row.caller_index,
    callerEnc: row.caller_enc,
    callerType: row.caller_type,
    callerCountry: row.caller_country,
    body: row.body,
    failures: Number(row.failures),
  };
}

/**
 * The SQL of the intake log. A batch of webhooks is appended by one multi-row statement that skips
 * what is already known (an event still in the log, or a contact already recorded from it), so a
 * provider's retry is recognised exactly, whichever process took the first delivery.
 */
export class IntakeLogRepo implements IntakeLogStore {
  readonly #db: Kysely<Database>;
  readonly #caps: Pick<Capabilities, 'rowList'>;
  /** The append's text, compiled at the first batch (placeholders differ by dialect). */
  #appendSql: string | null = null;

  constructor(db: Kysely<Database>, caps: Pick<Capabilities, 'rowList'>) {
    this.#db = db;
    this.#caps = caps;
  }

  /** One statement whatever the batch's size (row-list.ts), so it is prepared once. */
  async append(entries: readonly LogEntry[]): Promise<Array<number | null>> {
    if (entries.length === 0) return [];
    const rowValues = entries.map(values);
    this.#appendSql ??= sql`
      INSERT INTO intake_log (${sql.raw(COLUMNS.names.join(', '))})
      SELECT * FROM ${rowList(this.#caps, COLUMNS.types, rowValues)} AS v
      WHERE NOT EXISTS (
        SELECT 1 FROM contacts c WHERE c.provider = v.column1 AND c.provider_sid = v.column2
      )
      ON CONFLICT DO NOTHING
      RETURNING id, provider, provider_sid`.compile(this.#db).sql;
    const { rows } = await this.#db.executeQuery<{
      id: number;
      provider: string;
      provider_sid: string;
    }>(CompiledQuery.raw(this.#appendSql, rowListParameters(this.#caps, COLUMNS.types, rowValues)));
    const ids = new Map(rows.map((r) => [`${r.provider} ${r.provider_sid}`, Number(r.id)]));
    // The same message twice in one batch is inserted once: the later copies are duplicates.
    return entries.map((e) => {
      const key = `${e.provider} ${e.providerSid}`;
      const id = ids.get(key) ?? null;
      ids.delete(key);
      return id;
    });
  }

  /** Gives the events set aside after MAX_FAILURES another round of attempts (at every start). */
  async retrySetAside(): Promise<number> {
    const res = await this.#db
      .updateTable('intake_log')
      .set({ failures: 0 })
      .where('failures', '>=', MAX_FAILURES)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async backlog(): Promise<{ waiting: number; oldestAt: number | null; setAside: number }> {
    const row = await this.#db
      .selectFrom('intake_log')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.min('received_at').as('oldest'),
        eb.fn
          .sum<number>(eb.case().when('failures', '>=', MAX_FAILURES).then(1).else(0).end())
          .as('aside'),
      ])
      .executeTakeFirstOrThrow();
    const aside = Number(row.aside ?? 0);
    return {
      waiting: Number(row.n) - aside,
      oldestAt: row.oldest === null ? null : Number(row.oldest),
      setAside: aside,
    };
  }
}

/** Claims the oldest events in the log for the transaction `tx` (skipping ones another holds). */
export async function claimEvents(
  tx: Kysely<Database>,
  caps: Pick<Capabilities, 'skipLocked'>,
  limit: number,
  onlyId: number | null = null,
): Promise<LoggedEvent[]> {
  let query = tx
    .selectFrom('intake_log')
    .selectAll()
    .where('failures', '<', MAX_FAILURES)
    .orderBy('id')
    .limit(limit);
  if (onlyId !== null) query = query.where('id', '=', onlyId);
  if (caps.skipLocked) query = query.forUpdate().skipLocked();
  return (await query.execute()).map(toLoggedEvent);
}

/** Removes recorded events from the log, in the transaction that recorded them. */
export async function removeEvents(tx: Kysely<Database>, ids: readonly number[]): Promise<void> {
  if (ids.length > 0) await tx.deleteFrom('intake_log').where('id', 'in', ids).execute();
}

/** Counts a failed attempt at recording an event, with what went wrong. */
export async function countFailure(db: Executor & Kysely<Database>, id: number, error: string) {
  await db
    .updateTable('intake_log')
    .set((eb) => ({ failures: eb('failures', '+', 1), last_error: error.slice(0, 500) }))
    .where('id', '=', id)
    .execute();
}
