import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { deriveKey } from './number-vault.ts';

/**
 * Settings that hold secrets of their own (a chat's webhook address, an SMTP password), sealed
 * with AES-256-GCM under a key derived from SECRET for that purpose alone. Not the number keys:
 * those rotate, and a setting sealed under a retired key would be lost.
 */
export class SecretBox {
  readonly #key: KeyObject;
  readonly #context: Buffer;

  constructor(secret: string, purpose: string) {
    this.#key = createSecretKey(deriveKey(secret, `secret-box:${purpose}`));
    this.#context = Buffer.from(purpose, 'utf8');
  }

  seal(text: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(this.#context);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The sealed text; throws when it was sealed under another secret or changed. */
  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 28) throw new Error('sealed setting is too short');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
    decipher.setAAD(this.#context);
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([
      decipher.update(raw.subarray(12, raw.length - 16)),
      decipher.final(),
    ]).toString('utf8');
  }
}
