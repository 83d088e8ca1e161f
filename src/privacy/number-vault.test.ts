import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumberVault, deriveKey } from './number-vault.ts';

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
