import assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import { describe, it } from 'node:test';
import { BusyError } from '../domain/errors.ts';
import {
  decoyHash,
  hashPassword,
  HashingQueue,
  passwordProblem,
  verifyPassword,
} from './password.ts';

const PASSWORD = 'correct horse battery staple';

describe('password hashing', () => {
  it('verifies the password it hashed, in the PHC scrypt form', async () => {
    const hash = await hashPassword(PASSWORD);
    assert.match(hash, /^\$scrypt\$ln=15,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    assert.ok(!hash.includes(PASSWORD));
    assert.equal(await verifyPassword(PASSWORD, hash), true);
  });

  it('refuses a wrong password, however close', async () => {
    const hash = await hashPassword(PASSWORD);
    for (const wrong of ['', 'correct horse battery stapl', `${PASSWORD} `, PASSWORD.toUpperCase()])
      assert.equal(await verifyPassword(wrong, hash), false, JSON.stringify(wrong));
  });

  it('salts every hash: the same password hashes differently, and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    assert.notEqual(a, b);
    assert.notEqual(a.split('$')[3], b.split('$')[3], 'different salts');
    assert.equal(await verifyPassword(PASSWORD, a), true);
    assert.equal(await verifyPassword(PASSWORD, b), true);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const composed = 'mot de passe été'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    assert.notEqual(composed, decomposed);
    assert.equal(await verifyPassword(decomposed, await hashPassword(composed)), true);
  });

  it('answers false for a malformed or foreign hash', async () => {
    const hash = await hashPassword(PASSWORD);
    const [, , , salt, key] = hash.split('$');
    const malformed = [
      '',
      PASSWORD,
      '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
      `$scrypt$ln=15,r=8,p=1$${salt}$`,
      `$scrypt$ln=15,r=8,p=1$$${key}`,
      `$scrypt$ln=15,r=8$${salt}$${key}`,
      `$scrypt$ln=9,r=8,p=1$${salt}$${key}`, // too cheap to accept
      `$scrypt$ln=21,r=8,p=1$${salt}$${key}`, // too costly to compute
      `$scrypt$ln=15,r=8,p=1$${salt}$${key}=`,
      `$scrypt$ln=15,r=8,p=1$${salt}$${key!.slice(0, -4)}`, // truncated key
      `${hash}\n`,
    ];
    for (const stored of malformed)
      assert.equal(await verifyPassword(PASSWORD, stored), false, stored);
  });

  it('answers false, not an exception, for impossible cost parameters', async () => {
    const [, , , salt, key] = (await hashPassword(PASSWORD)).split('$');
    assert.equal(await verifyPassword(PASSWORD, `$scrypt$ln=15,r=0,p=1$${salt}$${key}`), false);
  });

  it('checks an unknown user against a decoy, which nothing matches', async () => {
    const decoy = await decoyHash();
    assert.equal(await decoyHash(), decoy, 'computed once');
    assert.match(decoy, /^\$scrypt\$/);
    assert.equal(await verifyPassword(PASSWORD, decoy), false);
    assert.equal(await verifyPassword('', decoy), false);
  });
});

describe('password rules', () => {
  it('asks for at least 12 characters and at most 1,024', () => {
    assert.match(passwordProblem('x'.repeat(11)) ?? '', /at least 12 characters/);
    assert.match(passwordProblem('') ?? '', /at least 12/);
    assert.equal(passwordProblem('x'.repeat(12)), null);
    assert.equal(passwordProblem('x'.repeat(1024)), null);
    assert.match(passwordProblem('x'.repeat(1025)) ?? '', /too long/);
  });
});

describe('password hashing queue', () => {
  it('keeps libuv’s thread pool free: a pool task started behind four hashes finishes first', async () => {
    const order: string[] = [];
    const hashes = Array.from({ length: 4 }, (_, i) =>
      hashPassword(`${PASSWORD} ${i}`).then(() => order.push(`hash ${i}`)),
    );
    // pbkdf2 with one iteration runs on libuv's pool; with the hashes there it would queue behind them.
    const pool = new Promise<void>((resolve, reject) =>
      pbkdf2('x', 'y', 1, 32, 'sha256', (error) => (error ? reject(error) : resolve())),
    ).then(() => order.push('pool task'));
    await Promise.all([...hashes, pool]);
    assert.equal(order[0], 'pool task', order.join(', '));
  });

  it('hashes one password at a time, in order', async () => {
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2].map((i) => hashPassword(`${PASSWORD} ${i}`).then(() => order.push(i))),
    );
    assert.deepEqual(order, [0, 1, 2]);
  });

  it('refuses at once, with a BusyError, what does not fit in the queue; the rest still verifies', async () => {
    const queue = new HashingQueue({ maxWaiting: 2 });
    const salt = Buffer.alloc(16, 1);
    const params = { ln: 14, r: 8, p: 1 };
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, () => queue.derive(PASSWORD, salt, params)),
    );
    // One runs at once, two wait, two are refused.
    const refused = settled.filter((s) => s.status === 'rejected');
    assert.equal(refused.length, 2);
    for (const r of refused) {
      const reason: unknown = r.status === 'rejected' ? r.reason : null;
      assert.ok(reason instanceof BusyError);
      assert.equal(reason.details.retryAfterSeconds, 5);
    }
    const keys = settled.flatMap((s) =>
      s.status === 'fulfilled' ? [s.value.toString('hex')] : [],
    );
    assert.equal(keys.length, 3);
    assert.equal(new Set(keys).size, 1, 'same password and salt, same key');
    assert.equal(queue.waiting, 0);
  });
});

describe('password hashing queue priority', () => {
  it('runs a priority job before those waiting, and never refuses it when the queue is full', async () => {
    const queue = new HashingQueue({ maxWaiting: 2 });
    const salt = Buffer.alloc(16, 2);
    const params = { ln: 14, r: 8, p: 1 };
    const order: string[] = [];
    const job = (name: string, priority = false) =>
      queue.derive(name, salt, params, priority).then(
        () => order.push(name),
        () => order.push(`${name} refused`),
      );
    await Promise.all([
      job('running'),
      job('waiting 1'),
      job('waiting 2'),
      job('refused'),
      job('operator', true),
    ]);
    assert.deepEqual(order, ['refused refused', 'running', 'operator', 'waiting 1', 'waiting 2']);
  });
});
