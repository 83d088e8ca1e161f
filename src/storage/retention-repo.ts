import { sql, type Kysely, type RawBuilder, type SqlBool, type Transaction } from 'kysely';
import { appendAudit } from './audit-repo.ts';
import { ERASE_BATCH, padded } from './erase-batch.ts';
import { FINISHED_STATES, col, hostileCaller, values } from './evidence-exception.ts';
import { labelsOf } from './evidence-facts.ts';
import {
  callerExpired,
  contactExpired,
  replyExpired,
  type RetentionCutoffs,
} from './retention-queries.ts';
import type { Database } from './schema.ts';

type Tx = Transaction<Database> | Kysely<Database>;

export interface ErasedCounts {
  contacts: number;
  replies: number;
  callers: number;
  /** Simulator outbox messages. */
  messages: number;
  /** Journal entries whose content was erased (their hashes stay in the chain). */
  journalEntries: number;
}

/** A retention run as stored in nonmerci_settings ("retention_last"). */
export interface LastRetention extends ErasedCounts {
  at: number;
  /** Contacts received before this were due. */
  cutoff: number;
}

const LAST_RETENTION_KEY = 'retention_last';

/**
 * Retention's statements: what a run would erase, the erasure of expired records, and the record
 * of the last run. Journal entries of erased rows lose their content, time of erasure recorded,
 * while their hashes stay so the chain still verifies.
 */
export class RetentionRepo {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** The longest reply cooldown of any line (0 without lines). */
  async maxCooldownMs(): Promise<number> {
    const row = await this.#db
      .selectFrom('lines')
      .select((eb) => eb.fn.max('cooldown_ms').as('ms'))
      .executeTakeFirst();
    return Number(row?.ms ?? 0);
  }

  /** What a retention run would erase now (a dry run). */
  async countExpired(c: RetentionCutoffs): Promise<ErasedCounts> {
    const count = async (query: RawBuilder<{ n: number | string }>) =>
      Number((await query.execute(this.#db)).rows[0]?.n ?? 0);
    const [contacts, replies, callers, messages, journalEntries] = await Promise.all([
      count(sql`select count(*) as n from contacts c where ${contactExpired('c', c)}`),
      count(sql`select count(*) as n from replies r where ${replyExpired('r', c, 'plan')}`),
      count(sql`select count(*) as n from callers k where ${callerExpired('k', c, 'plan')}`),
      count(sql`select count(*) as n from sim_messages where created_at < ${c.contactsBefore}`),
      count(sql`select count(*) as n from evidence_log e
        where e.erased_at is null and (
          e.ref in (select 'contact:' || cast(c.id as text) from contacts c where ${contactExpired('c', c)})
          or e.ref in (select 'reply:' || cast(r.id as text) from replies r where ${replyExpired('r', c, 'plan')})
        )`),
    ]);
    return { contacts, replies, callers, messages, journalEntries };
  }

  /**
   * Erases what retention may erase, in batches of ERASE_BATCH rows per transaction: expired
   * contacts, then replies nothing refers to any more, then callers left with nothing, then old
   * simulator messages. Children go before their caller (foreign keys). Each delete re-checks a
   * column of the row itself, which PostgreSQL re-reads should another transaction change the row
   * meanwhile (an operator marking a contact, a caller calling again).
   */
  async eraseExpired(c: RetentionCutoffs): Promise<ErasedCounts> {
    const phases: {
      table: 'contacts' | 'replies' | 'callers' | 'sim_messages';
      expired: (alias: string) => RawBuilder<SqlBool>;
      recheck: RawBuilder<unknown>;
      ref: 'contact' | 'reply' | null;
    }[] = [
      {
        table: 'contacts',
        expired: (a) => contactExpired(a, c),
        recheck: sql`evidence_at is null`,
        ref: 'contact',
      },
      {
        table: 'replies',
        expired: (a) => replyExpired(a, c, 'run'),
        recheck: sql`state in (${values(FINISHED_STATES)})`,
        ref: 'reply',
      },
      {
        table: 'callers',
        expired: (a) => callerExpired(a, c, 'run'),
        recheck: sql`last_seen_at < ${c.rememberBefore}`,
        ref: null,
      },
      {
        table: 'sim_messages',
        expired: (a) => sql<SqlBool>`${col(a, 'created_at')} < ${c.contactsBefore}`,
        recheck: sql`true`,
        ref: null,
      },
    ];
    const erased = new Map<string, number>();
    let journalEntries = 0;
    for (const phase of phases) {
      const table = sql.table(phase.table);
      let total = 0;
      for (let done = ERASE_BATCH; done === ERASE_BATCH;) {
        done = await this.#db.transaction().execute(async (tx) => {
          const { rows } = await sql<{ id: number }>`
            delete from ${table}
            where id in (
              select ev_x.id from ${table} ev_x where ${phase.expired('ev_x')}
              order by ev_x.id limit ${sql.lit(ERASE_BATCH)}
            ) and ${phase.recheck}
            returning id`.execute(tx);
          if (phase.ref)
            journalEntries += await eraseJournal(
              tx,
              rows.map((r) => `${phase.ref}:${r.id}`),
              c.now,
            );
          return rows.length;
        });
        total += done;
      }
      erased.set(phase.table, total);
    }
    return {
      contacts: erased.get('contacts') ?? 0,
      replies: erased.get('replies') ?? 0,
      callers: erased.get('callers') ?? 0,
      messages: erased.get('sim_messages') ?? 0,
      journalEntries,
    };
  }

  /**
   * Stores a run as the last one; a run that erased anything is also audited (actor
   * "retention"), which journals it.
   */
  async recordRun(run: LastRetention): Promise<void> {
    const value = JSON.stringify(run);
    const erased = run.contacts + run.replies + run.callers + run.messages > 0;
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('nonmerci_settings')
        .values({ key: LAST_RETENTION_KEY, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
      if (erased)
        await appendAudit(tx, {
          at: run.at,
          actor: 'retention',
          action: 'retention.erase',
          target: null,
          detail: {
            contacts: run.contacts,
            replies: run.replies,
            callers: run.callers,
            messages: run.messages,
            journalEntries: run.journalEntries,
            cutoff: new Date(run.cutoff).toISOString(),
          },
        });
    });
  }

  async lastRun(): Promise<LastRetention | null> {
    const row = await this.#db
      .selectFrom('nonmerci_settings')
      .select('value')
      .where('key', '=', LAST_RETENTION_KEY)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value) as LastRetention) : null;
  }

  /** Hostile callers kept as evidence (rule 1), most recently seen first. */
  async keptCallers(limit: number): Promise<
    {
      callerId: number;
      numberEnc: string;
      numberType: string;
      contacts: number;
      labels: string[];
      blocked: boolean;
      lastSeen: number;
    }[]
  > {
    const rows = await this.#db
      .selectFrom('callers as k')
      .select([
        'k.id',
        'k.number_enc',
        'k.number_type',
        'k.blocked',
        'k.last_seen_at',
        (eb) =>
          eb
            .selectFrom('contacts as n')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('n.caller_id', '=', 'k.id')
            .as('contacts'),
      ])
      .where(hostileCaller(sql.ref('k.id')))
      .orderBy('k.last_seen_at', 'desc')
      .limit(limit)
      .execute();
    const labels = await labelsOf(
      this.#db,
      rows.map((r) => Number(r.id)),
    );
    return rows.map((r) => ({
      callerId: Number(r.id),
      numberEnc: r.number_enc,
      numberType: r.number_type,
      contacts: Number(r.contacts ?? 0),
      labels: labels.get(Number(r.id)) ?? [],
      blocked: Number(r.blocked) === 1,
      lastSeen: Number(r.last_seen_at),
    }));
  }
}

/**
 * Erases the journal contents of these refs: content and caller go, the erasure time is
 * recorded, the hashes stay (verifyChain accepts an erased entry). Returns the entries erased.
 */
async function eraseJournal(tx: Tx, refs: string[], now: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < refs.length; i += ERASE_BATCH) {
    const res = await tx
      .updateTable('evidence_log')
      .set({ content: null, erased_at: now, caller_id: null })
      .where('ref', 'in', padded(refs.slice(i, i + ERASE_BATCH)))
      .where('erased_at', 'is', null)
      .executeTakeFirst();
    total += Number(res.numUpdatedRows);
  }
  return total;
}
