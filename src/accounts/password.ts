import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt from Node's crypto (memory-hard: 32 MiB per hash at these settings,
 * about 100 ms on one core). Stored in the PHC string form "$scrypt$ln=15,r=8,p=1$SALT$HASH", so
 * the cost can be raised later without breaking existing hashes.
 */
const COST = { ln: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, p: typeof COST): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** p.ln,
    r: p.r,
    p: p.p,
    maxmem: 256 * 2 ** p.ln * p.r,
  };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return `$scrypt$ln=${COST.ln},r=${COST.r},p=${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** True when the password matches the stored hash; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!m) return false;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 10 || params.ln > 20 || params.r < 1 || params.r > 32) return false;
  if (params.p < 1 || params.p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  try {
    const key = await derive(password, Buffer.from(m[4]!, 'base64url'), params);
    return key.length === expected.length && timingSafeEqual(key, expected);
  } catch {
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
