import { nicknameOf } from './nickname.ts';
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  randomFillSync,
  type KeyObject,
} from 'node:crypto';
import { systemClock, type Clock } from '../domain/clock.ts';
import { NonmerciError } from '../domain/errors.ts';
import { maskNumber } from '../domain/phone.ts';

/**
 * How often every process reads the key versions again (main.ts). A new version only becomes
 * current several reloads after it is created (KEY_ACTIVATION_DELAY_MS in key-rotation.ts), so
 * every process can read a value before any process writes one.
 */
export const KEY_RELOAD_MS = 5_000;

/** One row of number_keys, as the vault needs it. */
export interface StoredNumberKey {
  version: number;
  /** The data key wrapped under the key-encryption key; '' once destroyed (always for version 1). */
  wrapped: string;
  createdAt: number;
  activeFrom: number;
  retiredAt: number | null;
}

/** Where the vault reads its key versions (storage/number-keys-repo.ts). */
export interface NumberKeySource {
  list(): Promise<StoredNumberKey[]>;
}

/** A key version as this process knows it. */
export interface KeyVersion {
  version: number;
  /** Version 1: derived from NONMERCI_SECRET, never stored. */
  derived: boolean;
  /** Null for version 1 when it was never retired (it has no row then). */
  createdAt: number | null;
  activeFrom: number;
  /** Set once retired: never used to encrypt again, still used to decrypt until destroyed. */
  retiredAt: number | null;
  /** Its key was wiped: values under it can no longer be read. Never true for version 1. */
  destroyed: boolean;
}

interface LoadedKey extends KeyVersion {
  key: KeyObject | null;
  wrapped: string;
}

/** A stored value names a key version this process cannot use. The message says what to do. */
export class NumberKeyError extends NonmerciError {
  constructor(version: number | null, message: string) {
    super('number_key_unavailable', message, { version });
  }
}

/**
 * Keeps phone numbers out of the database in clear. Each number is stored encrypted with
 * AES-256-GCM (random 96-bit nonce) next to a keyed blind index (HMAC-SHA256) used for look-ups and
 * deduplication.
 *
 * Stored forms: "v1:" + base64url(nonce ‖ ciphertext ‖ tag) under version 1, the key derived from
 * NONMERCI_SECRET with HKDF (never stored); "k<N>:" + the same under version N ≥ 2, a random data
 * key kept in number_keys wrapped (AES-256-GCM) under a key-encryption key derived from the secret
 * (envelope encryption, like Vault transit or Tink keysets). `nonmerci secret rotate` adds versions
 * and re-encrypts stored values (privacy/key-rotation.ts). A retired version never encrypts again;
 * a destroyed one (its wrapped key wiped) can no longer decrypt. Version 1 cannot be destroyed: it
 * derives from the secret, so a leftover "v1:" value stays readable as long as the secret exists.
 *
 * New values are encrypted under the current version: the highest non-retired version whose
 * active_from has come (by the injected clock). Versions are read with reload(), at start and every
 * KEY_RELOAD_MS; encrypt, decrypt and blindIndex stay synchronous because they sit on every hot
 * path.
 *
 * The blind-index key is NOT versioned: it stays derived from the secret. Rotating it would change
 * every caller's index, so while other processes look callers up (same caller, blocklist, one
 * reply per sender) they would need to look up under both keys on the hot path until every row was
 * re-indexed. The index reveals nothing without the secret; rotating it means changing the secret.
 */
export class NumberVault {
  // Key objects, built once: passing raw buffers makes OpenSSL import the key on every call.
  readonly #v1Key: KeyObject;
  readonly #indexKey: KeyObject;
  readonly #wrapKey: KeyObject;
  readonly #nicknameKey: KeyObject;
  readonly #source: NumberKeySource | null;
  readonly #clock: Clock;
  /** By ascending version, replaced whole on each load: encrypt and decrypt never see half a list. */
  #keys: readonly LoadedKey[];

  /**
   * Without `keys` the vault knows version 1 only (enough for a tool that never reads values written
   * after a rotation); with them, call reload() before use.
   */
  constructor(secret: string, options: { keys?: NumberKeySource; clock?: Clock } = {}) {
    this.#v1Key = createSecretKey(deriveKey(secret, 'number-encryption-v1'));
    this.#indexKey = createSecretKey(deriveKey(secret, 'number-blind-index-v1'));
    this.#wrapKey = createSecretKey(deriveKey(secret, 'number-key-wrap-v1'));
    this.#nicknameKey = createSecretKey(deriveKey(secret, 'caller-nicknames-v1'));
    this.#source = options.keys ?? null;
    this.#clock = options.clock ?? systemClock;
    this.#keys = [this.#versionOne(undefined)];
  }

  /** Reads the key versions from storage again. A failure leaves the known versions in place. */
  async reload(): Promise<void> {
    if (this.#source) this.load(await this.#source.list());
  }

  /**
   * Replaces the known versions with these rows. Keys already unwrapped are reused; a row that does
   * not unwrap (another secret, an altered row) throws and changes nothing.
   */
  load(rows: readonly StoredNumberKey[]): void {
    const known = new Map(this.#keys.map((k) => [k.version, k]));
    const next: LoadedKey[] = [this.#versionOne(rows.find((r) => r.version === 1))];
    for (const row of [...rows].sort((a, b) => a.version - b.version)) {
      if (row.version === 1) continue;
      if (!Number.isInteger(row.version) || row.version < 1)
        throw new NumberKeyError(
          row.version,
          `number_keys holds an invalid version ${row.version}`,
        );
      const destroyed = row.wrapped === '';
      const previous = known.get(row.version);
      const key = destroyed
        ? null
        : previous?.key && previous.wrapped === row.wrapped
          ? previous.key
          : this.#unwrap(row.version, row.wrapped);
      next.push({
        version: row.version,
        derived: false,
        createdAt: row.createdAt,
        activeFrom: row.activeFrom,
        retiredAt: destroyed ? (row.retiredAt ?? row.createdAt) : row.retiredAt,
        destroyed,
        key,
        wrapped: row.wrapped,
      });
    }
    this.#keys = next;
  }

  /** The versions this process knows, oldest first. */
  versions(): KeyVersion[] {
    return this.#keys.map(({ key: _key, wrapped: _wrapped, ...version }) => version);
  }

  /** The version new values are encrypted under now. */
  currentVersion(): number {
    return this.#current().version;
  }

  encrypt(text: string): string {
    return seal(this.#current(), text);
  }

  decrypt(stored: string): string {
    const { version, payload } = parseStored(stored);
    const entry = this.#keys.find((k) => k.version === version);
    if (!entry)
      throw new NumberKeyError(
        version,
        `Number key version ${version} is unknown to this process. It was probably created moments ago by "nonmerci secret rotate" and this process has not read the keys again yet (it does every ${KEY_RELOAD_MS / 1000} s): try again. If it lasts, check that every process uses the same database and NONMERCI_SECRET.`,
      );
    if (!entry.key)
      throw new NumberKeyError(
        version,
        `Number key version ${version} was retired and destroyed by "nonmerci secret rotate", so this value can no longer be read. It was written by a process whose keys were out of date while the rotation ran; restore it from a backup taken before that rotation.`,
      );
    const raw = Buffer.from(payload, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', entry.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([
      decipher.update(raw.subarray(12, raw.length - 16)),
      decipher.final(),
    ]).toString('utf8');
  }

  /** A stored value decrypted and encrypted again under `version` (for key rotation). */
  reencrypt(stored: string, version: number): string {
    const entry = this.#keys.find((k) => k.version === version);
    if (!entry?.key || entry.retiredAt !== null)
      throw new NumberKeyError(
        version,
        `Number key version ${version} is ${entry ? 'retired' : 'unknown'}: nothing may be encrypted under it.`,
      );
    return seal(entry, this.decrypt(stored));
  }

  /** A new random data key for `version`, wrapped for number_keys (bound to its version). */
  newWrappedKey(version: number): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#wrapKey, nonce);
    cipher.setAAD(wrapContext(version));
    const body = Buffer.concat([cipher.update(randomBytes(32)), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** A stored number, decrypted and masked for a screen: "+3361****78". */
  masked(stored: string): string {
    return maskNumber(this.decrypt(stored));
  }

  /** A caller's stable nickname ("Jaguar-07"), from his number in E.164 (see nickname.ts). */
  nickname(normalized: string): string {
    return nicknameOf(this.#nicknameKey, normalized);
  }

  /** A stored number as screens show it: masked, with its nickname; decrypted once. */
  shown(stored: string): { masked: string; nickname: string } {
    const number = this.decrypt(stored);
    return { masked: maskNumber(number), nickname: nicknameOf(this.#nicknameKey, number) };
  }

  /**
   * Deterministic keyed digest of a normalised number: equal numbers give equal indexes. Its key is
   * derived from the secret and never rotated (see the class comment), so look-ups keep working
   * during and after a rotation.
   */
  blindIndex(normalized: string): string {
    return createHmac('sha256', this.#indexKey).update(normalized).digest('base64url');
  }

  /**
   * The highest non-retired version whose active_from has come. If none has come yet by this
   * process's clock while the older ones are already retired, its clock lags the rotation's: the
   * oldest pending version is then used, which is safe because a rotation retires versions only
   * after its own clock passed the new version's active_from, long after every process read it.
   */
  #current(): LoadedKey {
    const now = this.#clock.now();
    let active: LoadedKey | undefined;
    let pending: LoadedKey | undefined;
    for (const k of this.#keys) {
      if (k.retiredAt !== null || !k.key) continue;
      if (k.activeFrom <= now) active = k;
      else pending ??= k;
    }
    const chosen = active ?? pending;
    if (!chosen)
      throw new NumberKeyError(
        null,
        'No number key may encrypt: every version is retired. Run "nonmerci secret rotate" to add one, and check that number_keys was not edited by hand.',
      );
    return chosen;
  }

  #versionOne(row: StoredNumberKey | undefined): LoadedKey {
    return {
      version: 1,
      derived: true,
      createdAt: row?.createdAt ?? null,
      activeFrom: row?.activeFrom ?? 0,
      retiredAt: row?.retiredAt ?? null,
      destroyed: false,
      key: this.#v1Key,
      wrapped: '',
    };
  }

  #unwrap(version: number, wrapped: string): KeyObject {
    try {
      const raw = Buffer.from(wrapped, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.#wrapKey, raw.subarray(0, 12));
      decipher.setAAD(wrapContext(version));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const key = Buffer.concat([
        decipher.update(raw.subarray(12, raw.length - 16)),
        decipher.final(),
      ]);
      if (key.length !== 32) throw new Error('not a 256-bit key');
      return createSecretKey(key);
    } catch {
      throw new NumberKeyError(
        version,
        `Number key version ${version} cannot be unwrapped: its row in number_keys was altered, or NONMERCI_SECRET is not the secret it was created under. Restore number_keys or the secret from your backup.`,
      );
    }
  }
}

/** How a stored value under `version` begins. */
export function versionPrefix(version: number): string {
  return version === 1 ? 'v1:' : `k${version}:`;
}

function parseStored(stored: string): { version: number; payload: string } {
  if (stored.startsWith('v1:')) return { version: 1, payload: stored.slice(3) };
  const match = /^k([1-9]\d{0,8}):/.exec(stored);
  if (!match || Number(match[1]) < 2)
    throw new NumberKeyError(
      null,
      'Unknown number encryption version: a stored value starts with neither "v1:" nor "k<N>:". It was not written by nonmerci.',
    );
  return { version: Number(match[1]), payload: stored.slice(match[0].length) };
}

/**
 * Nonces for AES-GCM, drawn from one buffer of random bytes refilled when used up: a single
 * random call per 1,024 values instead of one per value, on the webhook path. Each slice is used
 * once and copied into the stored value before the buffer can be refilled.
 */
const NONCE_BYTES = 12;
const noncePool = Buffer.allocUnsafe(NONCE_BYTES * 1024);
let nonceAt = noncePool.length;
function nextNonce(): Buffer {
  if (nonceAt + NONCE_BYTES > noncePool.length) {
    randomFillSync(noncePool);
    nonceAt = 0;
  }
  const nonce = noncePool.subarray(nonceAt, nonceAt + NONCE_BYTES);
  nonceAt += NONCE_BYTES;
  return nonce;
}

function seal(entry: LoadedKey, text: string): string {
  const nonce = nextNonce();
  const cipher = createCipheriv('aes-256-gcm', entry.key!, nonce);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  const payload = Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  return `${versionPrefix(entry.version)}${payload}`;
}

/** Authenticated with a wrapped key, so a row copied onto another version fails to unwrap. */
function wrapContext(version: number): Buffer {
  return Buffer.from(`nonmerci number key ${version}`, 'utf8');
}

/** Derives a purpose-bound key from the master secret (e.g. to sign simulator webhooks). */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'nonmerci', purpose, 32));
}
