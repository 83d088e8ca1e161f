import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { maskNumber } from '../domain/phone.ts';

/**
 * Keeps phone numbers out of the database in clear. Each number is stored encrypted with
 * AES-256-GCM (random 96-bit nonce) next to a keyed blind index (HMAC-SHA256) used for look-ups and
 * deduplication. Both keys are derived from NONMERCI_SECRET with HKDF, so one secret drives both
 * and neither key is ever stored.
 *
 * Stored form: "v1:" + base64url(nonce ‖ ciphertext ‖ tag). The version prefix leaves room for
 * key rotation.
 */
export class NumberVault {
  // Key objects, built once: passing raw buffers makes OpenSSL import the key on every call.
  readonly #encKey: KeyObject;
  readonly #indexKey: KeyObject;

  constructor(secret: string) {
    this.#encKey = createSecretKey(deriveKey(secret, 'number-encryption-v1'));
    this.#indexKey = createSecretKey(deriveKey(secret, 'number-blind-index-v1'));
  }

  encrypt(number: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#encKey, nonce);
    const body = Buffer.concat([cipher.update(number, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  decrypt(stored: string): string {
    if (!stored.startsWith('v1:')) throw new Error('Unknown number encryption version');
    const raw = Buffer.from(stored.slice(3), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.#encKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([
      decipher.update(raw.subarray(12, raw.length - 16)),
      decipher.final(),
    ]).toString('utf8');
  }

  /** A stored number, decrypted and masked for a screen: "+3361****78". */
  masked(stored: string): string {
    return maskNumber(this.decrypt(stored));
  }

  /** Deterministic keyed digest of a normalised number: equal numbers give equal indexes. */
  blindIndex(normalized: string): string {
    return createHmac('sha256', this.#indexKey).update(normalized).digest('base64url');
  }
}

/** Derives a purpose-bound key from the master secret (e.g. to sign simulator webhooks). */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'nonmerci', purpose, 32));
}
