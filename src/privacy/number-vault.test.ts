import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../domain/clock.ts';
import { NumberKeyError, NumberVault, deriveKey, type StoredNumberKey } from './number-vault.ts';

const SECRET = 'a-test-secret-that-is-long-enough-for-nonmerci';
const OTHER_SECRET = 'another-test-secret-that-is-long-enough-too';
const NUMBER = '+33612345678';

/** Flips one bit of the decoded payload at `index` (negative counts from the end). */
function tamper(stored: string, index: number): string {
  const raw = Buffer.from(stored.slice(3), 'base64url');
  const i = index < 0 ? raw.length + index : index;
  raw[i] = raw[i]! ^ 0x01;
  return `v1:${raw.toString('base64url')}`;
}

describe('NumberVault encryption', () => {
  const vault = new NumberVault(SECRET);

  it('round-trips a number', () => {
    assert.equal(vault.decrypt(vault.encrypt(NUMBER)), NUMBER);
  });

  it('round-trips non-ASCII and empty values', () => {
    for (const value of ['', 'anonymous', 'numéro ☎'])
      assert.equal(vault.decrypt(vault.encrypt(value)), value);
  });

  it('decrypts with another instance built from the same secret', () => {
    assert.equal(new NumberVault(SECRET).decrypt(vault.encrypt(NUMBER)), NUMBER);
  });

  it('gives a different ciphertext each time', () => {
    const seen = new Set(Array.from({ length: 20 }, () => vault.encrypt(NUMBER)));
    assert.equal(seen.size, 20);
  });

  it('never contains the number, in clear or base64', () => {
    const stored = vault.encrypt(NUMBER);
    assert.match(stored, /^v1:[A-Za-z0-9_-]+$/);
    for (const form of [
      NUMBER,
      '612345678',
      Buffer.from(NUMBER).toString('base64url'),
      Buffer.from(NUMBER).toString('hex'),
    ]) {
      assert.ok(!stored.includes(form), form);
    }
  });

  it('stores nonce (12) + ciphertext + tag (16)', () => {
    const raw = Buffer.from(vault.encrypt(NUMBER).slice(3), 'base64url');
    assert.equal(raw.length, 12 + Buffer.byteLength(NUMBER) + 16);
  });

  const tampered: [label: string, index: number][] = [
    ['nonce', 0],
    ['ciphertext', 12],
    ['tag', -1],
  ];
  for (const [label, index] of tampered) {
    it(`throws when the ${label} is tampered with`, () => {
      const stored = vault.encrypt(NUMBER);
      assert.throws(() => vault.decrypt(tamper(stored, index)));
    });
  }

  it('throws on a truncated value', () => {
    const stored = vault.encrypt(NUMBER);
    assert.throws(() => vault.decrypt(stored.slice(0, -4)));
    assert.throws(() => vault.decrypt('v1:'));
  });

  it('throws with another secret', () => {
    assert.throws(() => new NumberVault(OTHER_SECRET).decrypt(vault.encrypt(NUMBER)));
  });

  it('throws on an unknown version', () => {
    const stored = vault.encrypt(NUMBER);
    assert.throws(() => vault.decrypt(`v2:${stored.slice(3)}`), /version/);
    assert.throws(() => vault.decrypt(NUMBER), /version/);
  });
});

describe('NumberVault blind index', () => {
  const vault = new NumberVault(SECRET);

  it('is deterministic, across instances', () => {
    assert.equal(vault.blindIndex(NUMBER), vault.blindIndex(NUMBER));
    assert.equal(new NumberVault(SECRET).blindIndex(NUMBER), vault.blindIndex(NUMBER));
  });

  it('tells numbers apart', () => {
    assert.notEqual(vault.blindIndex('+33612345678'), vault.blindIndex('+33612345679'));
  });

  it('depends on the secret', () => {
    assert.notEqual(new NumberVault(OTHER_SECRET).blindIndex(NUMBER), vault.blindIndex(NUMBER));
  });

  it('is a 256-bit digest that does not contain the number', () => {
    const index = vault.blindIndex(NUMBER);
    assert.equal(Buffer.from(index, 'base64url').length, 32);
    assert.ok(!index.includes('612345678'));
  });
});

describe('deriveKey', () => {
  it('gives a 32-byte key, the same for the same secret and purpose', () => {
    const key = deriveKey(SECRET, 'simulator-webhooks');
    assert.equal(key.length, 32);
    assert.deepEqual(deriveKey(SECRET, 'simulator-webhooks'), key);
  });

  it('is bound to its purpose', () => {
    assert.notDeepEqual(
      deriveKey(SECRET, 'simulator-webhooks'),
      deriveKey(SECRET, 'session-cookies'),
    );
  });

  it('is bound to the secret', () => {
    assert.notDeepEqual(
      deriveKey(SECRET, 'simulator-webhooks'),
      deriveKey(OTHER_SECRET, 'simulator-webhooks'),
    );
  });

  it('is not the secret itself', () => {
    assert.ok(!deriveKey(SECRET, 'x').equals(Buffer.from(SECRET).subarray(0, 32)));
  });
});

describe('NumberVault key versions', () => {
  const T0 = Date.UTC(2026, 10, 1, 16, 0, 0);
  const versionTwo = (
    vault: NumberVault,
    over: Partial<StoredNumberKey> = {},
  ): StoredNumberKey => ({
    version: 2,
    wrapped: vault.newWrappedKey(2),
    createdAt: T0,
    activeFrom: T0,
    retiredAt: null,
    ...over,
  });

  it('encrypts under k2 once loaded, and round-trips, across instances with the same rows', () => {
    const clock = new ManualClock(T0);
    const vault = new NumberVault(SECRET, { clock });
    const rows = [versionTwo(vault)];
    vault.load(rows);
    const stored = vault.encrypt(NUMBER);
    assert.match(stored, /^k2:[A-Za-z0-9_-]+$/);
    assert.equal(vault.decrypt(stored), NUMBER);
    const other = new NumberVault(SECRET, { clock });
    other.load(rows);
    assert.equal(other.decrypt(stored), NUMBER);
    assert.equal(vault.currentVersion(), 2);
  });

  it('still reads v1 values after loading versions, and reloads from its source', async () => {
    const clock = new ManualClock(T0);
    const old = new NumberVault(SECRET).encrypt(NUMBER);
    const rows: StoredNumberKey[] = [];
    const vault = new NumberVault(SECRET, { clock, keys: { list: () => Promise.resolve(rows) } });
    await vault.reload();
    assert.equal(vault.currentVersion(), 1);
    rows.push(versionTwo(vault));
    await vault.reload();
    assert.equal(vault.decrypt(old), NUMBER);
    assert.match(vault.encrypt(NUMBER), /^k2:/);
  });

  it('makes a version current only from its active_from', () => {
    const clock = new ManualClock(T0);
    const vault = new NumberVault(SECRET, { clock });
    vault.load([versionTwo(vault, { activeFrom: T0 + 15_000 })]);
    assert.match(vault.encrypt(NUMBER), /^v1:/);
    clock.advance(14_999);
    assert.equal(vault.currentVersion(), 1);
    clock.advance(1);
    assert.match(vault.encrypt(NUMBER), /^k2:/);
  });

  it('falls back to the pending version when every active one is retired (a lagging clock)', () => {
    const clock = new ManualClock(T0);
    const vault = new NumberVault(SECRET, { clock });
    vault.load([
      { version: 1, wrapped: '', createdAt: 0, activeFrom: 0, retiredAt: T0 },
      versionTwo(vault, { activeFrom: T0 + 15_000 }),
    ]);
    assert.match(vault.encrypt(NUMBER), /^k2:/);
  });

  it('never encrypts under a retired version, but still reads it until it is destroyed', () => {
    const clock = new ManualClock(T0);
    const vault = new NumberVault(SECRET, { clock });
    const two = versionTwo(vault);
    vault.load([two]);
    const underTwo = vault.encrypt(NUMBER);
    const three = { ...versionTwo(vault), version: 3, wrapped: vault.newWrappedKey(3) };
    vault.load([{ ...two, retiredAt: T0 }, three]);
    assert.match(vault.encrypt(NUMBER), /^k3:/);
    assert.equal(vault.decrypt(underTwo), NUMBER);
    assert.throws(() => vault.reencrypt(underTwo, 2), /retired: nothing may be encrypted/);
    assert.match(vault.reencrypt(underTwo, 3), /^k3:/);
    // Retiring version 1 stops it encrypting; it derives from the secret, so v1 values stay readable.
    const v1 = new NumberVault(SECRET).encrypt(NUMBER);
    vault.load([{ version: 1, wrapped: '', createdAt: 0, activeFrom: 0, retiredAt: T0 }, three]);
    assert.throws(() => vault.reencrypt(v1, 1), /retired/);
    assert.equal(vault.decrypt(v1), NUMBER);
    // Only version 3 is left: with it retired too, nothing may encrypt.
    vault.load([
      { version: 1, wrapped: '', createdAt: 0, activeFrom: 0, retiredAt: T0 },
      { ...three, retiredAt: T0 },
    ]);
    assert.throws(() => vault.encrypt(NUMBER), /every version is retired/);
  });

  it('refuses a destroyed version with a message that says what happened and what to do', () => {
    const clock = new ManualClock(T0);
    const vault = new NumberVault(SECRET, { clock });
    const two = versionTwo(vault);
    vault.load([two]);
    const stored = vault.encrypt(NUMBER);
    vault.load([{ ...two, wrapped: '', retiredAt: T0 }]);
    assert.throws(
      () => vault.decrypt(stored),
      (error: Error) =>
        error instanceof NumberKeyError &&
        /version 2 was retired and destroyed/.test(error.message) &&
        /restore it from a backup/.test(error.message),
    );
    assert.ok(vault.versions().find((v) => v.version === 2)!.destroyed);
  });

  it('names an unknown version and says the keys may not be reloaded yet', () => {
    const clock = new ManualClock(T0);
    const writer = new NumberVault(SECRET, { clock });
    writer.load([versionTwo(writer)]);
    const stored = writer.encrypt(NUMBER);
    assert.throws(
      () => new NumberVault(SECRET, { clock }).decrypt(stored),
      (error: Error) =>
        error instanceof NumberKeyError &&
        /version 2 is unknown to this process/.test(error.message) &&
        /nonmerci secret rotate/.test(error.message) &&
        /try again/.test(error.message),
    );
  });

  it('refuses a wrapped key from another secret, or copied onto another version', () => {
    const other = new NumberVault(OTHER_SECRET);
    const vault = new NumberVault(SECRET);
    assert.throws(() => vault.load([versionTwo(other)]), /cannot be unwrapped/);
    assert.throws(
      () => vault.load([{ ...versionTwo(vault), version: 3 }]),
      /version 3 cannot be unwrapped/,
    );
    assert.equal(vault.currentVersion(), 1, 'a failed load changes nothing');
  });

  it('keeps the blind index whatever the key versions', () => {
    const vault = new NumberVault(SECRET);
    const before = vault.blindIndex(NUMBER);
    vault.load([versionTwo(vault)]);
    assert.equal(vault.blindIndex(NUMBER), before);
  });
});
