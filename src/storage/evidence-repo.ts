import { sql, type Kysely, type Transaction } from 'kysely';
import { canonicalJson, entryHash, headMac, sha256Hex } from '../evidence/chain.ts';
import type { EvidenceRecord } from '../evidence/events.ts';
import type { Capabilities } from './capabilities.ts';
import type {
  ChainHead,
  ChainRow,
  ContentSealer,
  JournalStore,
  StoredHead,
} from '../evidence/journal.ts';
import { rowList } from './row-list.ts';
import type { Database } from './schema.ts';

type Tx = Transaction<Database> | Kysely<Database>;

/**
 * Appends facts to the evidence journal, unchained, inside the caller's transaction: the change
 * and its record commit or roll back together. Contents with personal data are encrypted.
 */
export async function appendEvidence(
  tx: Tx,
  records: readonly EvidenceRecord[],
  sealer: ContentSealer | null,
): Promise<void> {
  if (records.length === 0) return;
  await tx
    .insertInto('evidence_log')
    .values(
      records.map((r) => {
        const text = canonicalJson(r.content);
        if (r.personal && !sealer) throw new Error('personal evidence needs the number vault');
        return {
          at: r.at,
          kind: r.kind,
          line_id: r.lineId,
          caller_id: r.callerId,
          ref: r.ref,
          content: r.personal ? sealer!.encrypt(text) : text,
          content_hash: sha256Hex(text),
        };
      }),
    )
    .execute();
}

/**
 * Writes the links of a round in one statement (UPDATE … FROM a list of rows, which SQLite and
 * PostgreSQL both take, sent in a fixed number of parameters: row-list.ts): one statement a link
 * held SQLite's only connection, and with it every webhook's append, for tens of milliseconds a
 * round during a raid.
 */
async function linkEntries(
  tx: Tx,
  caps: Pick<Capabilities, 'rowList'>,
  links: ReadonlyArray<{ id: number; seq: number; prevHash: string; entryHash: string }>,
): Promise<void> {
  if (links.length === 0) return;
  const rows = links.map((l) => [l.id, l.seq, l.prevHash, l.entryHash]);
  await sql`UPDATE evidence_log
    SET seq = v.column2, prev_hash = v.column3, entry_hash = v.column4
    FROM ${rowList(caps, ['bigint', 'bigint', 'text', 'text'], rows)} AS v
    WHERE evidence_log.id = v.column1`.execute(tx);
}

/** Entries linked per transaction; more wait for the next round. */
const SEAL_BATCH = 500;
/** A head is stored every this many entries, and at least once an hour while entries arrive. */
export const HEAD_EVERY = 256;
const HEAD_MAX_AGE_MS = 3_600_000;

/**
 * The sequencer and reader of the hash chain. Appends stay cheap and parallel (a plain insert in
 * each change's own transaction); linking them one after another happens here, under a lock on the
 * chain's tail, so several processes can share one database.
 */
export class EvidenceRepo implements JournalStore {
  readonly #db: Kysely<Database>;
  readonly #caps: Capabilities;
  readonly #headKey: Uint8Array;

  constructor(db: Kysely<Database>, caps: Capabilities, headKey: Uint8Array) {
    this.#db = db;
    this.#caps = caps;
    this.#headKey = headKey;
  }

  /**
   * Links unchained entries to the chain, oldest first, and stores a head when due. With
   * `forceHead`, stores a head of the tail even if none is due (an export's chain head).
   * Returns the number of entries linked.
   */
  async seal(now: number, options: { forceHead?: boolean } = {}): Promise<number> {
    let total = 0;
    for (;;) {
      const linked = await this.#db.transaction().execute(async (tx) => {
        let tailQuery = tx
          .selectFrom('evidence_chain')
          .select(['last_seq', 'last_hash'])
          .where('id', '=', 1);
        if (this.#caps.rowLocks) tailQuery = tailQuery.forUpdate();
        const tail = await tailQuery.executeTakeFirstOrThrow();
        const pending = await tx
          .selectFrom('evidence_log')
          .select(['id', 'content_hash'])
          .where('seq', 'is', null)
          .orderBy('id')
          .limit(SEAL_BATCH)
          .execute();
        let seq = Number(tail.last_seq);
        let hash = tail.last_hash;
        const links = pending.map((row) => {
          seq += 1;
          const next = entryHash(seq, hash, row.content_hash);
          const link = { id: Number(row.id), seq, prevHash: hash, entryHash: next };
          hash = next;
          return link;
        });
        await linkEntries(tx, this.#caps, links);
        const wantHead = pending.length > 0 || options.forceHead === true;
        if (wantHead && seq > 0) {
          const last = await tx
            .selectFrom('evidence_heads')
            .select(['seq', 'at'])
            .orderBy('seq', 'desc')
            .limit(1)
            .executeTakeFirst();
          const lastSeq = last ? Number(last.seq) : 0;
          const due =
            Math.floor(seq / HEAD_EVERY) > Math.floor(lastSeq / HEAD_EVERY) ||
            now - (last ? Number(last.at) : 0) >= HEAD_MAX_AGE_MS ||
            options.forceHead === true;
          if (due && seq > lastSeq) {
            await tx
              .insertInto('evidence_heads')
              .values({
                seq,
                entry_hash: hash,
                at: now,
                mac: headMac(this.#headKey, seq, hash, now),
              })
              .execute();
          }
        }
        if (pending.length > 0) {
          await tx
            .updateTable('evidence_chain')
            .set({ last_seq: seq, last_hash: hash, updated_at: now })
            .where('id', '=', 1)
            .execute();
        }
        return pending.length;
      });
      total += linked;
      if (linked < SEAL_BATCH) return total;
      options = {};
      // A raid leaves tens of thousands of entries to link: let the webhooks in between rounds
      // (on SQLite a round holds the event loop, about 5 ms).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The last chained entry, as the tail row records it. */
  async tail(): Promise<ChainHead> {
    const row = await this.#db
      .selectFrom('evidence_chain')
      .select(['last_seq', 'last_hash', 'updated_at'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { seq: Number(row.last_seq), hash: row.last_hash, at: Number(row.updated_at) };
  }

  /** Chained entries after `afterSeq`, in chain order. */
  async chained(afterSeq: number, limit: number): Promise<ChainRow[]> {
    const rows = await this.#db
      .selectFrom('evidence_log')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toRow);
  }

  /** Entries not linked yet. */
  async unchained(limit: number): Promise<ChainRow[]> {
    const rows = await this.#db
      .selectFrom('evidence_log')
      .selectAll()
      .where('seq', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toRow);
  }

  async heads(): Promise<StoredHead[]> {
    const rows = await this.#db.selectFrom('evidence_heads').selectAll().orderBy('seq').execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      entryHash: r.entry_hash,
      at: Number(r.at),
      mac: r.mac,
    }));
  }

  /** Stored (encrypted) numbers of callers still held, by caller id. */
  async callerNumbers(ids: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.#db
        .selectFrom('callers')
        .select(['id', 'number_enc'])
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(Number(r.id), r.number_enc);
    }
    return out;
  }

  /** Entries in [from, to), optionally of one line (plus operator entries, which have none). */
  async between(from: number, to: number, lineId: number | null): Promise<ChainRow[]> {
    let q = this.#db
      .selectFrom('evidence_log')
      .selectAll()
      .where('at', '>=', from)
      .where('at', '<', to);
    if (lineId !== null)
      q = q.where((eb) => eb.or([eb('line_id', '=', lineId), eb('line_id', 'is', null)]));
    const rows = await q.orderBy('at').orderBy('id').execute();
    return rows.map(toRow);
  }
}

function toRow(r: {
  id: number;
  seq: number | null;
  at: number;
  kind: string;
  line_id: number | null;
  caller_id: number | null;
  ref: string | null;
  content: string | null;
  content_hash: string;
  prev_hash: string | null;
  entry_hash: string | null;
  erased_at: number | null;
}): ChainRow {
  return {
    id: Number(r.id),
    seq: r.seq === null ? null : Number(r.seq),
    at: Number(r.at),
    kind: r.kind,
    lineId: r.line_id === null ? null : Number(r.line_id),
    callerId: r.caller_id === null ? null : Number(r.caller_id),
    ref: r.ref,
    content: r.content,
    contentHash: r.content_hash,
    prevHash: r.prev_hash,
    entryHash: r.entry_hash,
    erasedAt: r.erased_at === null ? null : Number(r.erased_at),
  };
}
