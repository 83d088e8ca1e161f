import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The hash chain of the evidence journal. Each entry's content is written as canonical JSON
 * (RFC 8785: sorted keys, fixed number and string forms), so the same facts always give the same
 * bytes, and anyone can recompute its SHA-256 with standard tools. Entries are then linked in
 * order: each entry's hash covers its position, the previous entry's hash and its content hash,
 * so changing, removing or reordering an entry breaks every link after it.
 */

/** The "previous hash" of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Label mixed into every link, so a hash from another system cannot be passed off as ours. */
export const CHAIN_LABEL = 'nonmerci-chain-v1';

/** Canonical JSON (RFC 8785) of an event's content. */
export function canonicalJson(content: Record<string, unknown>): string {
  const text = canonicalize(content);
  if (text === undefined) throw new Error('evidence content cannot be written as JSON');
  return text;
}

/** SHA-256 of a text's UTF-8 bytes, in lowercase hex (what `sha256sum` prints). */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Hash of entry `seq`: SHA-256 of "nonmerci-chain-v1\n<seq>\n<previous entry hash>\n<content hash>".
 * Written out in the bundle's README so it can be checked without our code.
 */
export function entryHash(seq: number, previousHash: string, contentHash: string): string {
  return sha256Hex(`${CHAIN_LABEL}\n${seq}\n${previousHash}\n${contentHash}`);
}

/**
 * Keyed signature of a stored chain head. Someone who can write to the database but does not hold
 * NONMERCI_SECRET can rebuild the hashes of a rewritten chain, but not forge its heads.
 */
export function headMac(key: Uint8Array, seq: number, hash: string, at: number): string {
  return createHmac('sha256', key)
    .update(`${CHAIN_LABEL}\nhead\n${seq}\n${hash}\n${at}`)
    .digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
