import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { LoggedEvent } from '../intake/log.ts';
import { claimEvents, countFailure, removeEvents } from './intake-log-repo.ts';
import type { ContactOutcome } from '../domain/types.ts';
import { REASONS_THAT_FREE_THE_COOLDOWN } from '../policy/cooldown.ts';
import type {
  IntakeResult,
  IntakeStore,
  NewContact,
  ProcessedBatch,
  ProcessedEvent,
} from '../hotline/ports.ts';
import { contactRecord, type EvidenceRecord } from '../evidence/events.ts';
import type { Capabilities } from './capabilities.ts';
import type { Executor } from './compiled-query.ts';
import type { ContentSealer } from '../evidence/journal.ts';
import { appendEvidence } from './evidence-repo.ts';
import { intakeQueries } from './intake-queries.ts';
import { insertColumns, rowList, selectRows } from './row-list.ts';
import type { Database } from './schema.ts';

/** The tables are first analyzed after this many contacts recorded by the process (PostgreSQL). */
const ANALYZE_FIRST_AT = 1_000;

/**
 * The columns a batch inserts, with their types: each insert is one statement whatever the batch's
 * size (row-list.ts), its values in this order.
 */
const CALLER_COLUMNS = insertColumns([
  ['number_index', 'text'],
  ['number_enc', 'text'],
  ['number_type', 'text'],
  ['country', 'text'],
  ['first_seen_at', 'bigint'],
  ['last_seen_at', 'bigint'],
  ['contact_count', 'bigint'],
  ['prefix_index', 'text'],
]);
const REPLY_COLUMNS = insertColumns([
  ['line_id', 'bigint'],
  ['caller_id', 'bigint'],
  ['state', 'text'],
  ['due_at', 'bigint'],
  ['expires_at', 'bigint'],
  ['next_attempt_at', 'bigint'],
  ['idempotency_key', 'text'],
  ['created_at', 'bigint'],
]);
const CONTACT_COLUMNS = insertColumns([
  ['line_id', 'bigint'],
  ['caller_id', 'bigint'],
  ['kind', 'text'],
  ['provider', 'text'],
  ['provider_sid', 'text'],
  ['received_at', 'bigint'],
  ['body', 'text'],
  ['outcome', 'text'],
  ['reply_id', 'bigint'],
  ['labels', 'text'],
  ['evidence_at', 'bigint'],
  ['evidence_by', 'text'],
]);

/** A caller's row as the batch's upsert left it. */
interface CallerRow {
  id: number;
  blocked: number;
  opted_out_at: number | null;
}

/** A reply holding a (line, caller)'s cooldown: stored (`id`), or scheduled by the batch (`fresh`). */
type HeldReply =
  { id: number; fresh: null; createdAt: number } | { id: null; fresh: number; createdAt: number };

/** A contact of a batch, as decided before its rows are written. */
interface Decision {
  c: NewContact;
  caller: CallerRow;
  outcome: ContactOutcome;
  previous: HeldReply | null;
}

/** Thrown inside a transaction to roll it back when the provider re-delivered a webhook. */
class DuplicateDelivery extends Error {}

/**
 * Records the events of the intake log: each becomes a contact, its caller and, if the caller has
 * no reply on this line within the cooldown, a scheduled reply, with its evidence entry. A batch of
 * events is claimed, recorded and removed from the log in one transaction, so each event has its
 * effects exactly once, whichever process records it and whenever one crashes. If anything in a
 * batch fails, its events are recorded again one transaction each, so one bad event cannot hold
 * up the others; an event that keeps failing is counted, and set aside after MAX_FAILURES.
 */
export class IntakeRepo implements IntakeStore {
  readonly #db: Kysely<Database>;
  readonly #q: ReturnType<typeof intakeQueries>;
  readonly #caps: Pick<
    Capabilities,
    'skipLocked' | 'unsyncedCommit' | 'analyzeOnGrowth' | 'rowList'
  >;
  readonly #sealer: ContentSealer;
  /** Contacts this process recorded, and how many more before the tables are analyzed again. */
  #recorded = 0;
  #analyzeAt = ANALYZE_FIRST_AT;

  /**
   * A batch's commit does not wait for the disk (SQLite's and PostgreSQL's own "asynchronous
   * commit"): the intake log is what must survive a power cut, and its appends still sync. A
   * batch lost with the last instants before a cut leaves its events in the log, and they are
   * recorded again, once. The next synced commit (an append, the claim of a reply before it is
   * sent) syncs the log of the database up to it, batches included, so nothing leaves the
   * process on the strength of a batch that could still be lost.
   */
  constructor(
    db: Kysely<Database>,
    caps: Pick<Capabilities, 'skipLocked' | 'unsyncedCommit' | 'analyzeOnGrowth' | 'rowList'>,
    sealer: ContentSealer,
  ) {
    this.#db = db;
    this.#sealer = sealer;
    this.#q = intakeQueries(db);
    this.#caps = caps;
  }

  async processBatch(
    limit: number,
    prepare: (event: LoggedEvent) => NewContact,
  ): Promise<ProcessedBatch> {
    const batch = await this.#processUnsynced(limit, prepare);
    await this.#analyzeOnGrowth(batch.done.length);
    return batch;
  }

  /**
   * PostgreSQL: refreshes the statistics of the tables a batch grows each time this process has
   * recorded twice as many contacts as at the last refresh (a few times over a raid, then rarely):
   * planned as the empty tables they were, a fresh line's first raid read every reply of the line
   * for each caller, and recording slowed to a fraction of its speed. ANALYZE reads a sample of
   * each table and blocks no writer.
   */
  async #analyzeOnGrowth(recorded: number): Promise<void> {
    if (!this.#caps.analyzeOnGrowth || recorded === 0) return;
    this.#recorded += recorded;
    if (this.#recorded < this.#analyzeAt) return;
    this.#analyzeAt = this.#recorded * 2;
    // Statistics only guide the planner: the batch is recorded whether or not this succeeds.
    await sql`ANALYZE callers, replies, contacts`.execute(this.#db).catch(() => undefined);
  }

  async #processUnsynced(
    limit: number,
    prepare: (event: LoggedEvent) => NewContact,
  ): Promise<ProcessedBatch> {
    if (this.#caps.unsyncedCommit === 'transaction')
      return this.#processBatch(this.#db, limit, prepare);
    // SQLite: the connection is held from one pragma to the other, so that no other commit (an
    // append to the log) runs meanwhile without its sync.
    return this.#db.connection().execute(async (connection) => {
      await sql`pragma synchronous = NORMAL`.execute(connection);
      try {
        return await this.#processBatch(connection, limit, prepare);
      } finally {
        await sql`pragma synchronous = FULL`.execute(connection);
      }
    });
  }

  async #processBatch(
    db: Kysely<Database>,
    limit: number,
    prepare: (event: LoggedEvent) => NewContact,
  ): Promise<ProcessedBatch> {
    try {
      const done = await db.transaction().execute(async (tx) => {
        await this.#unsynced(tx);
        const events = await claimEvents(tx, this.#caps, limit);
        // Callers are locked in one order (their index, then arrival) in every batch, so parallel
        // batches on PostgreSQL wait for each other instead of deadlocking, and each caller's
        // contacts are recorded in the order they came.
        const ordered = events
          .map((event) => ({ event, contact: prepare(event) }))
          .sort((a, b) =>
            a.contact.caller.index < b.contact.caller.index
              ? -1
              : a.contact.caller.index > b.contact.caller.index
                ? 1
                : a.event.id - b.event.id,
          );
        const evidence: EvidenceRecord[] = [];
        const results = await this.#record(
          tx,
          ordered.map((p) => p.contact),
          evidence,
        );
        const out: ProcessedEvent[] = ordered.map((p, i) => ({ ...p, result: results[i]! }));
        // The batch's evidence entries in one statement.
        await appendEvidence(tx, evidence, this.#sealer);
        await removeEvents(
          tx,
          events.map((e) => e.id),
        );
        return out.sort((a, b) => a.event.id - b.event.id);
      });
      return { done, failed: [] };
    } catch {
      return this.#processAlone(db, limit, prepare);
    }
  }

  async #processAlone(
    db: Kysely<Database>,
    limit: number,
    prepare: (event: LoggedEvent) => NewContact,
  ): Promise<ProcessedBatch> {
    const batch: ProcessedBatch = { done: [], failed: [] };
    const waiting = await claimEvents(db, { skipLocked: false }, limit);
    for (const candidate of waiting) {
      try {
        const one = await db.transaction().execute(async (tx) => {
          await this.#unsynced(tx);
          const [event] = await claimEvents(tx, this.#caps, 1, candidate.id);
          if (!event) return null; // another process took it meanwhile
          const contact = prepare(event);
          let result: IntakeResult;
          const evidence: EvidenceRecord[] = [];
          try {
            [result] = (await this.#record(tx, [contact], evidence)) as [IntakeResult];
            await appendEvidence(tx, evidence, this.#sealer);
          } catch (error) {
            if (!(error instanceof DuplicateDelivery)) throw error;
            throw Object.assign(error, { event, contact });
          }
          await removeEvents(tx, [event.id]);
          return { event, contact, result };
        });
        if (one) batch.done.push(one);
      } catch (error) {
        if (error instanceof DuplicateDelivery) {
          // Another process recorded the same message between our check and our insert.
          const { event, contact } = error as DuplicateDelivery & {
            event: LoggedEvent;
            contact: NewContact;
          };
          const delivered = await this.#findDelivered(db, event.provider, event.providerSid);
          if (delivered) {
            await removeEvents(db, [event.id]);
            batch.done.push({ event, contact, result: delivered });
            continue;
          }
        }
        await countFailure(db, candidate.id, (error as Error).message ?? String(error)).catch(
          () => undefined,
        );
        batch.failed.push({ event: candidate, error });
      }
    }
    return batch;
  }

  /** PostgreSQL: this transaction's commit does not wait for the disk (see the constructor). */
  async #unsynced(tx: Transaction<Database>): Promise<void> {
    if (this.#caps.unsyncedCommit === 'transaction')
      await sql`SET LOCAL synchronous_commit = off`.execute(tx);
  }

  /**
   * Records a batch's contacts (in the order given: by caller, then arrival) in a few set-based
   * statements, whatever the batch's size: their callers in one upsert, the replies they already
   * have within the cooldown in one look-up, the new replies in one insert, the contacts in one
   * insert. Each contact's outcome is decided in memory, in order, as if they had come one by one:
   * a caller's first contact without a reply in the cooldown schedules one, and his next contacts
   * in the batch fall within its cooldown. On PostgreSQL the caller upsert locks the callers' rows
   * (in index order, as every batch does), so two batches cannot both schedule a reply to one
   * caller.
   *
   * No look-up first: the intake log only takes messages not recorded yet. The rare one recorded
   * meanwhile (a provider's retry that raced its first delivery) leaves the contact insert short,
   * which rolls the batch back; recorded alone, it is then reported as a duplicate.
   */
  async #record(
    tx: Transaction<Database>,
    contacts: readonly NewContact[],
    evidence: EvidenceRecord[],
  ): Promise<IntakeResult[]> {
    if (contacts.length === 0) return [];
    const callers = await this.#upsertCallers(tx, contacts);
    const optOuts = new Map<number, number>();
    for (const c of contacts) {
      const caller = callers.get(c.caller.index)!;
      if (c.optOut && !optOuts.has(caller.id)) optOuts.set(caller.id, c.receivedAt);
    }
    for (const [callerId, at] of optOuts) await this.#q.optOut(tx, callerId, at);

    // The latest reply of each (line, caller) that still holds the cooldown, as each contact is
    // decided: the stored ones, then those this batch schedules (by their index in `fresh`).
    const latest = await this.#latestReplies(tx, contacts, callers);
    const fresh: NewContact[] = [];
    const optedOut = new Set<number>();
    const decided = contacts.map((c): Decision => {
      const caller = callers.get(c.caller.index)!;
      if (c.optOut) optedOut.add(caller.id);
      const out = c.optOut || caller.opted_out_at !== null || optedOut.has(caller.id);
      const pair = `${c.lineId} ${caller.id}`;
      const held = latest.get(pair);
      const previous = held && held.createdAt >= c.reply.cooldownSince ? held : null;
      if (previous || out) return { c, caller, outcome: out ? 'opted_out' : 'cooldown', previous };
      const scheduled: HeldReply = { id: null, fresh: fresh.length, createdAt: c.receivedAt };
      fresh.push(c);
      latest.set(pair, scheduled);
      return { c, caller, outcome: 'reply_scheduled', previous: scheduled };
    });

    const freshIds = await this.#insertReplies(tx, fresh, callers);
    const rows = decided.map(({ c, caller, outcome, previous }) => ({
      c,
      caller,
      outcome,
      replyId: previous === null ? null : (previous.id ?? freshIds[previous.fresh]!),
    }));
    const contactIds = await this.#insertContacts(tx, rows);

    return rows.map(({ c, caller, outcome, replyId }, i) => {
      const contactId = contactIds[i]!;
      evidence.push(
        contactRecord({
          contactId,
          kind: c.kind,
          at: c.receivedAt,
          lineId: c.lineId,
          callerId: caller.id,
          caller: c.caller.number,
          provider: c.provider,
          providerSid: c.providerSid,
          text: c.body,
          labels: c.labels ? c.labels.split(',') : [],
          outcome,
          replyId,
        }),
      );
      return {
        duplicate: false,
        contactId,
        callerId: caller.id,
        outcome,
        replyId,
        callerBlocked: caller.blocked === 1,
      };
    });
  }

  /**
   * One row per caller of the batch (in the order met, which is index order): new callers are
   * inserted with their first and last contact and their count; known ones get the batch's last
   * contact and count added. Returns each caller's row by its index.
   */
  async #upsertCallers(
    tx: Transaction<Database>,
    contacts: readonly NewContact[],
  ): Promise<Map<string, CallerRow>> {
    const rows = new Map<string, Insertable<Database['callers']>>();
    for (const c of contacts) {
      const row = rows.get(c.caller.index);
      if (row) {
        row.first_seen_at = Math.min(Number(row.first_seen_at), c.receivedAt);
        row.last_seen_at = Math.max(Number(row.last_seen_at), c.receivedAt);
        row.contact_count = Number(row.contact_count) + 1;
        continue;
      }
      rows.set(c.caller.index, {
        number_index: c.caller.index,
        number_enc: c.caller.enc,
        number_type: c.caller.type,
        country: c.caller.country,
        first_seen_at: c.receivedAt,
        last_seen_at: c.receivedAt,
        contact_count: 1,
        prefix_index: c.caller.prefixIndex,
      });
    }
    const found = await tx
      .insertInto('callers')
      .columns(CALLER_COLUMNS.names)
      .expression(
        selectRows(
          this.#caps,
          CALLER_COLUMNS.types,
          [...rows.values()].map((r) => CALLER_COLUMNS.names.map((c) => r[c] ?? null)),
        ),
      )
      .onConflict((oc) =>
        oc.column('number_index').doUpdateSet((eb) => ({
          last_seen_at: eb.ref('excluded.last_seen_at'),
          contact_count: eb('callers.contact_count', '+', eb.ref('excluded.contact_count')),
        })),
      )
      .returning(['id', 'number_index', 'blocked', 'opted_out_at'])
      .execute();
    const callers = new Map<string, CallerRow>();
    for (const r of found)
      callers.set(r.number_index, {
        id: Number(r.id),
        blocked: Number(r.blocked),
        opted_out_at: r.opted_out_at === null ? null : Number(r.opted_out_at),
      });
    if (callers.size !== rows.size) throw new Error('caller upsert returned fewer rows than sent');
    return callers;
  }

  /**
   * The latest reply of each (line, caller) of the batch that holds the cooldown, by "line caller":
   * a subquery per row of a VALUES list, each reading the newest reply of its pair backwards along
   * replies_caller_idx, rather than every reply of the batch's callers. PostgreSQL picks that index
   * only with statistics that know the table's size (see #analyzeOnGrowth).
   */
  async #latestReplies(
    tx: Transaction<Database>,
    contacts: readonly NewContact[],
    callers: ReadonlyMap<string, CallerRow>,
  ): Promise<Map<string, HeldReply>> {
    const pairs = new Map<string, [lineId: number, callerId: number]>();
    for (const c of contacts) {
      const callerId = callers.get(c.caller.index)!.id;
      pairs.set(`${c.lineId} ${callerId}`, [c.lineId, callerId]);
    }
    const since = Math.min(...contacts.map((c) => c.reply.cooldownSince));
    const latest = (column: 'id' | 'created_at') => sql`(
      SELECT r.${sql.raw(column)} FROM replies r
      WHERE r.line_id = v.column1 AND r.caller_id = v.column2 AND r.created_at >= ${since}
        AND (r.reason IS NULL OR r.reason NOT IN (${sql.join(REASONS_THAT_FREE_THE_COOLDOWN)}))
      ORDER BY r.created_at DESC LIMIT 1)`;
    const { rows } = await sql<{
      line_id: number | string;
      caller_id: number | string;
      id: number | string | null;
      created_at: number | string | null;
    }>`SELECT v.column1 AS line_id, v.column2 AS caller_id,
        ${latest('id')} AS id, ${latest('created_at')} AS created_at
      FROM ${rowList(this.#caps, ['bigint', 'bigint'], [...pairs.values()])} AS v`.execute(tx);
    const held = new Map<string, HeldReply>();
    for (const r of rows)
      if (r.id !== null && r.created_at !== null)
        held.set(`${r.line_id} ${r.caller_id}`, {
          id: Number(r.id),
          fresh: null,
          createdAt: Number(r.created_at),
        });
    return held;
  }

  /** Schedules the batch's new replies in one insert; returns their ids in the order given. */
  async #insertReplies(
    tx: Transaction<Database>,
    fresh: readonly NewContact[],
    callers: ReadonlyMap<string, CallerRow>,
  ): Promise<number[]> {
    if (fresh.length === 0) return [];
    const found = await tx
      .insertInto('replies')
      .columns(REPLY_COLUMNS.names)
      .expression(
        selectRows(
          this.#caps,
          REPLY_COLUMNS.types,
          fresh.map((c) => [
            c.lineId,
            callers.get(c.caller.index)!.id,
            'scheduled',
            c.reply.dueAt,
            c.reply.expiresAt,
            c.reply.dueAt,
            c.reply.idempotencyKey,
            c.receivedAt,
          ]),
        ),
      )
      .returning(['id', 'idempotency_key'])
      .execute();
    const ids = new Map(found.map((r) => [r.idempotency_key, Number(r.id)]));
    return fresh.map((c) => ids.get(c.reply.idempotencyKey)!);
  }

  /**
   * Inserts the batch's contacts in one statement; returns their ids in the order given. A contact
   * the provider had delivered already is not inserted, and fails the batch (DuplicateDelivery).
   */
  async #insertContacts(
    tx: Transaction<Database>,
    rows: ReadonlyArray<{
      c: NewContact;
      caller: CallerRow;
      outcome: ContactOutcome;
      replyId: number | null;
    }>,
  ): Promise<number[]> {
    const found = await tx
      .insertInto('contacts')
      .columns(CONTACT_COLUMNS.names)
      .expression(
        selectRows(
          this.#caps,
          CONTACT_COLUMNS.types,
          rows.map(({ c, caller, outcome, replyId }) => [
            c.lineId,
            caller.id,
            c.kind,
            c.provider,
            c.providerSid,
            c.receivedAt,
            c.body,
            outcome,
            replyId,
            c.labels,
            c.evidenceMark === null ? null : c.receivedAt,
            c.evidenceMark,
          ]),
        ),
      )
      .onConflict((oc) => oc.columns(['provider', 'provider_sid']).doNothing())
      .returning(['id', 'provider', 'provider_sid'])
      .execute();
    const ids = new Map(found.map((r) => [`${r.provider} ${r.provider_sid}`, Number(r.id)]));
    return rows.map(({ c }) => {
      const id = ids.get(`${c.provider} ${c.providerSid}`);
      ids.delete(`${c.provider} ${c.providerSid}`);
      if (id === undefined) throw new DuplicateDelivery();
      return id;
    });
  }

  async lookup(provider: string, providerSid: string): Promise<IntakeResult | null> {
    const found = await this.#findDelivered(this.#db, provider, providerSid);
    return found && { ...found, duplicate: false };
  }

  async #findDelivered(
    db: Executor,
    provider: string,
    providerSid: string,
  ): Promise<IntakeResult | null> {
    const [row] = await this.#q.findDelivered(db, provider, providerSid);
    if (!row) return null;
    return {
      duplicate: true,
      contactId: row.id,
      callerId: row.caller_id,
      outcome: row.outcome as ContactOutcome,
      replyId: row.reply_id,
      callerBlocked: row.blocked === 1,
    };
  }
}
