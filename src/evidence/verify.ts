import { entryHash, GENESIS_HASH, headMac, sameDigest, sha256Hex } from './chain.ts';
import type { ChainHead, ChainRow, StoredHead } from './journal.ts';

/** What verification needs from storage. */
export interface ChainReader {
  tail(): Promise<ChainHead>;
  chained(afterSeq: number, limit: number): Promise<ChainRow[]>;
  unchained(limit: number): Promise<ChainRow[]>;
  heads(): Promise<StoredHead[]>;
}

export type Verdict =
  | {
      intact: true;
      /** Entries in the chain. */
      count: number;
      /** Latest entry's hash and position ("0…0" and 0 for an empty chain). */
      head: string;
      headSeq: number;
      /** Entries whose content retention erased (their hash still links). */
      erased: number;
      /** Entries recorded but not linked yet (the sequencer links them within seconds). */
      pending: number;
      /** Signed heads checked along the way. */
      headsChecked: number;
    }
  | {
      intact: false;
      /** Position in the chain where it breaks (the entry expected there). */
      seq: number;
      /** Row id of the offending entry, when there is a row. */
      entryId: number | null;
      problem:
        | 'content_altered'
        | 'details_altered'
        | 'link_broken'
        | 'hash_altered'
        | 'missing'
        | 'tail_missing'
        | 'head_mismatch'
        | 'head_forged';
      message: string;
    };

const PAGE = 2000;

/**
 * Walks the whole chain in order and checks, for every entry: its content still hashes to its
 * content hash (unless erased), the facts kept as columns agree with that content, it points to
 * the previous entry's hash, its own hash recomputes, and no position is skipped. Signed heads
 * must match the entries at their positions, and nothing may be missing after the last head or
 * the recorded tail. Stops at the first break and names it.
 */
export async function verifyChain(
  reader: ChainReader,
  open: (stored: string) => string,
  headKey: Uint8Array,
): Promise<Verdict> {
  const heads = await reader.heads();
  const headAt = new Map(heads.map((h) => [h.seq, h]));
  for (const h of heads) {
    if (!sameDigest(h.mac, headMac(headKey, h.seq, h.entryHash, h.at)))
      return broken(
        h.seq,
        null,
        'head_forged',
        `the signed chain head at entry #${h.seq} was altered or forged`,
      );
  }
  let seq = 0;
  let previous = GENESIS_HASH;
  let erased = 0;
  let headsChecked = 0;
  for (;;) {
    const rows = await reader.chained(seq, PAGE);
    for (const row of rows) {
      const expected = seq + 1;
      if (row.seq !== expected)
        return broken(
          expected,
          null,
          'missing',
          `entry #${expected} is missing: the chain jumps from #${seq} to #${row.seq} (entries deleted)`,
        );
      const problem = checkEntry(row, previous, open);
      if (problem) return problem;
      if (row.erasedAt !== null) erased++;
      previous = row.entryHash!;
      seq = expected;
      const head = headAt.get(seq);
      if (head) {
        if (!sameDigest(head.entryHash, previous))
          return broken(
            seq,
            row.id,
            'head_mismatch',
            `entry #${seq} differs from the chain head signed on ${new Date(head.at).toISOString()}: the chain was rewritten from there or earlier`,
          );
        headsChecked++;
      }
    }
    if (rows.length < PAGE) break;
  }
  const lastHead = heads.at(-1);
  if (lastHead && lastHead.seq > seq)
    return broken(
      seq + 1,
      null,
      'tail_missing',
      `entries #${seq + 1} to #${lastHead.seq} are missing: a signed head records #${lastHead.seq}, the chain ends at #${seq}`,
    );
  const tail = await reader.tail();
  if (tail.seq > seq)
    return broken(
      seq + 1,
      null,
      'tail_missing',
      `entries #${seq + 1} to #${tail.seq} are missing: the chain's tail records #${tail.seq}, the entries end at #${seq}`,
    );
  if (tail.seq === seq && seq > 0 && !sameDigest(tail.hash, previous))
    return broken(seq, null, 'hash_altered', `the chain's tail does not match entry #${seq}`);
  const pending = await reader.unchained(PAGE);
  for (const row of pending) {
    const problem = checkContent(row, open, `recent entry (id ${row.id}, not chained yet)`, 0);
    if (problem) return problem;
  }
  return {
    intact: true,
    count: seq,
    head: previous,
    headSeq: seq,
    erased,
    pending: pending.length,
    headsChecked,
  };
}

function checkEntry(row: ChainRow, previous: string, open: (stored: string) => string) {
  const seq = row.seq!;
  const where = `entry #${seq} (${row.kind} at ${new Date(row.at).toISOString()}, id ${row.id})`;
  const problem = checkContent(row, open, where, seq);
  if (problem) return problem;
  if (row.prevHash === null || !sameDigest(row.prevHash, previous))
    return broken(
      seq,
      row.id,
      'link_broken',
      `${where} does not follow entry #${seq - 1}: entries were reordered, removed or altered`,
    );
  if (
    row.entryHash === null ||
    !sameDigest(row.entryHash, entryHash(seq, previous, row.contentHash))
  )
    return broken(
      seq,
      row.id,
      'hash_altered',
      `${where} has a hash that does not match its content and position`,
    );
  return null;
}

/** The stored content hashes to its content hash, and the columns agree with it. */
function checkContent(row: ChainRow, open: (stored: string) => string, where: string, seq: number) {
  if (row.content === null) {
    if (row.erasedAt === null)
      return broken(
        seq,
        row.id,
        'content_altered',
        `${where} has lost its content without being erased`,
      );
    return null;
  }
  let text: string;
  try {
    text = open(row.content);
  } catch {
    return broken(
      seq,
      row.id,
      'content_altered',
      `${where} cannot be decrypted: its content was altered`,
    );
  }
  if (!sameDigest(sha256Hex(text), row.contentHash))
    return broken(
      seq,
      row.id,
      'content_altered',
      `${where} was altered: its content no longer matches its hash`,
    );
  let facts: { type?: unknown; at?: unknown; lineId?: unknown; callerId?: unknown };
  try {
    facts = JSON.parse(text) as typeof facts;
  } catch {
    return broken(seq, row.id, 'content_altered', `${where} holds no readable content`);
  }
  const agrees =
    facts.type === row.kind &&
    facts.at === row.at &&
    (facts.lineId ?? null) === row.lineId &&
    (facts.callerId ?? null) === row.callerId;
  if (!agrees)
    return broken(
      seq,
      row.id,
      'details_altered',
      `${where}: its time, kind, line or caller columns were changed and no longer match its hashed content`,
    );
  return null;
}

function broken(
  seq: number,
  entryId: number | null,
  problem: Extract<Verdict, { intact: false }>['problem'],
  message: string,
): Verdict {
  return { intact: false, seq, entryId, problem, message };
}
