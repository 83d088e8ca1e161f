import { randomBytes, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { BusyError } from '../domain/errors.ts';

/**
 * Password hashing with scrypt from Node's crypto (memory-hard: 32 MiB per hash at these settings,
 * about 100 ms on one core). Stored in the PHC string form "$scrypt$ln=15,r=8,p=1$SALT$HASH", so
 * the cost can be raised later without breaking existing hashes.
 */
const COST = { ln: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

/**
 * Hashing runs on a thread of its own, one hash at a time, with a short queue. A flood of sign-in
 * attempts then costs at most one core and never reaches libuv's thread pool, which the rest of
 * the server (files, DNS, Node's asynchronous crypto) shares: webhooks and the dashboard keep
 * answering while passwords wait their turn. When the queue is full the attempt is refused at once
 * (BusyError, a 429) instead of waiting behind the flood. Written here rather than taken from a
 * worker-pool library because it is one thread, one function and a bounded queue.
 */
export class HashingQueue {
  readonly #maxWaiting: number;
  #worker: Worker | null = null;
  #next = 1;
  #busy = false;
  readonly #waiting: { job: Job; settle: Settle; priority: boolean }[] = [];
  readonly #running = new Map<number, Settle>();

  constructor(options: { maxWaiting: number }) {
    this.#maxWaiting = options.maxWaiting;
  }

  /** Requests waiting for their turn (not counting the one being hashed). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Derives the key on the hashing thread. A `priority` job (an operator on the server itself or on
   * a browser they signed in from before) goes ahead of the others and is never refused.
   */
  derive(password: string, salt: Buffer, params: typeof COST, priority = false): Promise<Buffer> {
    if (!priority && this.#waiting.length >= this.#maxWaiting)
      return Promise.reject(
        new BusyError(
          'Too many sign-in attempts are being checked right now; try again in a few seconds.',
          5,
        ),
      );
    const options: ScryptOptions = {
      N: 2 ** params.ln,
      r: params.r,
      p: params.p,
      maxmem: 256 * 2 ** params.ln * params.r,
    };
    return new Promise((resolve, reject) => {
      const job = { id: this.#next++, password: password.normalize('NFC'), salt, options };
      const item = { job, settle: { resolve, reject }, priority };
      const at = priority ? this.#waiting.findIndex((w) => !w.priority) : -1;
      if (at >= 0) this.#waiting.splice(at, 0, item);
      else this.#waiting.push(item);
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#busy) return;
    const item = this.#waiting.shift();
    if (!item) return;
    this.#busy = true;
    this.#running.set(item.job.id, item.settle);
    const thread = this.#thread();
    // Kept alive while it works (a command waiting for a hash must not exit), not while idle.
    thread.ref();
    thread.postMessage(item.job);
  }

  #thread(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(HASH_THREAD, { eval: true, name: 'nonmerci password hashing' });
    worker.on('message', (m: { id: number; key?: Uint8Array; error?: string }) => {
      const settle = this.#running.get(m.id);
      this.#running.delete(m.id);
      this.#busy = false;
      worker.unref();
      if (m.key) settle?.resolve(Buffer.from(m.key));
      else settle?.reject(new Error(m.error ?? 'password hashing failed'));
      this.#pump();
    });
    const fail = (error: Error) => {
      this.#worker = null;
      this.#busy = false;
      for (const settle of this.#running.values()) settle.reject(error);
      this.#running.clear();
      this.#pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the password hashing thread stopped (${code})`)));
    this.#worker = worker;
    return worker;
  }
}

interface Job {
  id: number;
  password: string;
  salt: Buffer;
  options: ScryptOptions;
}
interface Settle {
  resolve(key: Buffer): void;
  reject(error: Error): void;
}

/** The hashing thread: scrypt, synchronously, one job per message. */
const HASH_THREAD = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
parentPort.on('message', (job) => {
  try {
    const key = scryptSync(job.password, Buffer.from(job.salt), ${KEY_LENGTH}, job.options);
    parentPort.postMessage({ id: job.id, key });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error && error.message) });
  }
});
`;

/**
 * The process's one hashing queue. 16 waiting is 2 seconds of work: an honest sign-in waits at
 * most that long even under a flood the rate limits let through.
 */
export const hashing = new HashingQueue({ maxWaiting: 16 });

const derive = (password: string, salt: Buffer, p: typeof COST, priority = false) =>
  hashing.derive(password, salt, p, priority);

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return `$scrypt$ln=${COST.ln},r=${COST.r},p=${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * True when the password matches the stored hash; false for any malformed hash. With `priority`,
 * the check goes ahead of a queue of others (see HashingQueue.derive).
 */
export async function verifyPassword(
  password: string,
  stored: string,
  priority = false,
): Promise<boolean> {
  const m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!m) return false;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 10 || params.ln > 20 || params.r < 1 || params.r > 32) return false;
  if (params.p < 1 || params.p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  try {
    const key = await derive(password, Buffer.from(m[4]!, 'base64url'), params, priority);
    return key.length === expected.length && timingSafeEqual(key, expected);
  } catch (error) {
    if (error instanceof BusyError) throw error;
    return false;
  }
}

let decoy: Promise<string> | null = null;
/** A hash of a random password: checking an unknown user against it costs as much as a real check. */
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** Rules for a new password, in the words shown to the operator, or null when it is fine. */
export function passwordProblem(password: string): string | null {
  if (password.length < 12)
    return 'The password must be at least 12 characters long; a short sentence is easy to remember and hard to guess.';
  if (password.length > 1024) return 'The password is too long (1,024 characters at most).';
  return null;
}
