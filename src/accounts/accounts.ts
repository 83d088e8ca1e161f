import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import { InvalidInputError, NonmerciError } from '../domain/errors.ts';
import { deriveKey } from '../privacy/number-vault.ts';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { ROLES, type Role } from './roles.ts';

export interface User {
  id: number;
  username: string;
  passwordHash: string;
  role: Role;
  createdAt: number;
  lastLoginAt: number | null;
}

export interface SessionRecord {
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/** A signed-in browser: who, and the token its state-changing requests must carry. */
export interface Session {
  user: User;
  idHash: string;
  csrfToken: string;
}

interface AuditLine {
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}

/** What accounts need from storage (implemented by storage/users-repo.ts). */
export interface AccountStore {
  count(): Promise<number>;
  countAdmins(): Promise<number>;
  list(): Promise<User[]>;
  findByName(username: string): Promise<User | null>;
  findById(id: number): Promise<User | null>;
  create(
    user: { username: string; passwordHash: string; role: Role },
    now: number,
    audit: AuditLine | null,
    options?: { onlyIfFirst?: boolean },
  ): Promise<User | null>;
  update(
    id: number,
    change: { role?: Role; passwordHash?: string },
    now: number,
    audit: AuditLine,
  ): Promise<User | null>;
  remove(id: number, audit: AuditLine): Promise<boolean>;
  recordLogin(userId: number, now: number, audit: AuditLine): Promise<void>;
  createSession(session: SessionRecord): Promise<void>;
  findSession(idHash: string): Promise<SessionRecord | null>;
  touchSession(idHash: string, now: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteSessionsOf(userId: number, except?: string | null): Promise<void>;
  deleteExpiredSessions(now: number): Promise<void>;
}

export interface SessionPolicy {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  maxAgeMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: 12 * 3_600_000,
  maxAgeMs: 14 * 86_400_000,
};

/** Wrong name or password: one message for both, so the form does not reveal which names exist. */
export class UnauthorizedError extends NonmerciError {
  constructor(message = 'Sign in first.') {
    super('unauthorized', message);
  }
}

export class ConflictError extends NonmerciError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export class NotFoundError extends NonmerciError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/**
 * The code that allows first-run setup from another machine, printed by `serve` while no account
 * exists. Derived from the master secret, so every process of one installation prints the same
 * code; it opens nothing once the first account exists.
 */
export function firstRunSetupCode(secret: string): string {
  return deriveKey(secret, 'first-run-setup-v1').subarray(0, 15).toString('base64url');
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function checkUsername(raw: string): string {
  const name = raw.trim();
  if (!/^[\p{L}\p{N}._@-]{2,64}$/u.test(name))
    throw new InvalidInputError(
      'A user name is 2 to 64 letters, digits, dots, dashes, underscores or @, without spaces.',
    );
  return name;
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new InvalidInputError(problem);
}

export function checkRole(raw: unknown): Role {
  if (!ROLES.includes(raw as Role))
    throw new InvalidInputError(`The role must be one of: ${ROLES.join(', ')}.`);
  return raw as Role;
}

/** Accounts, sign-in and sessions of the dashboard. Session cookies carry a random token; only its hash is stored. */
export class Accounts {
  readonly #store: AccountStore;
  readonly #clock: Clock;
  readonly #policy: SessionPolicy;

  constructor(store: AccountStore, clock: Clock, policy: SessionPolicy = DEFAULT_SESSION_POLICY) {
    this.#store = store;
    this.#clock = clock;
    this.#policy = policy;
  }

  async setupNeeded(): Promise<boolean> {
    return (await this.#store.count()) === 0;
  }

  /**
   * Creates the first admin; refused once any account exists. `from` is the address the request
   * came from, kept in the audit log.
   */
  async setup(username: string, password: string, from: string | null = null): Promise<User> {
    const name = checkUsername(username);
    checkPassword(password);
    const now = this.#clock.now();
    const user = await this.#store.create(
      { username: name, passwordHash: await hashPassword(password), role: 'admin' },
      now,
      {
        at: now,
        actor: name,
        action: 'user.setup',
        target: name,
        detail: { role: 'admin', ...(from ? { from } : {}) },
      },
      { onlyIfFirst: true },
    );
    if (!user)
      throw new ConflictError(
        'An administrator already exists; sign in instead, or ask them for an account.',
      );
    return user;
  }

  /**
   * ADMIN_PASSWORD at start: creates the user "admin" while no account exists at all. Once there
   * are accounts it does nothing, so a deleted "admin" does not come back with a known password
   * (passwords are changed in the dashboard or with "nonmerci admin reset-password").
   */
  async ensureAdmin(password: string): Promise<boolean> {
    if ((await this.#store.count()) > 0) return false;
    checkPassword(password);
    const now = this.#clock.now();
    const created = await this.#store.create(
      { username: 'admin', passwordHash: await hashPassword(password), role: 'admin' },
      now,
      {
        at: now,
        actor: 'ADMIN_PASSWORD',
        action: 'user.create',
        target: 'admin',
        detail: { role: 'admin' },
      },
      { onlyIfFirst: true },
    );
    return created !== null;
  }

  /**
   * Checks a name and password and opens a session; returns the cookie token with it. Each sign-in
   * is written to the audit log with the address it came from (`from`), when known. A `priority`
   * sign-in (from the server itself, or a browser the user signed in from before) has its password
   * checked ahead of a flood of others.
   */
  async login(
    username: string,
    password: string,
    from: string | null = null,
    priority = false,
  ): Promise<{ token: string; session: Session }> {
    const user = await this.#store.findByName(username.trim());
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()), priority);
    if (!user || !ok) throw new UnauthorizedError('Wrong user name or password.');
    const now = this.#clock.now();
    const token = randomBytes(32).toString('base64url');
    const record: SessionRecord = {
      idHash: hashToken(token),
      userId: user.id,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.#policy.maxAgeMs,
    };
    await this.#store.createSession(record);
    await this.#store.recordLogin(user.id, now, {
      at: now,
      actor: user.username,
      action: 'user.login',
      target: user.username,
      detail: from ? { from } : null,
    });
    await this.#store.deleteExpiredSessions(now);
    return { token, session: { user, idHash: record.idHash, csrfToken: record.csrfToken } };
  }

  /** The session a cookie token opens, or null if unknown, idle too long or past its age. */
  async authenticate(token: string): Promise<Session | null> {
    if (!token || token.length > 100) return null;
    const now = this.#clock.now();
    const idHash = hashToken(token);
    const record = await this.#store.findSession(idHash);
    if (!record) return null;
    if (now >= record.expiresAt || now - record.lastSeenAt >= this.#policy.idleMs) {
      await this.#store.deleteSession(idHash);
      return null;
    }
    const user = await this.#store.findById(record.userId);
    if (!user) return null;
    // Writing on every request would turn each page view into a write; a minute is precise enough.
    if (now - record.lastSeenAt > 60_000) await this.#store.touchSession(idHash, now);
    return { user, idHash, csrfToken: record.csrfToken };
  }

  async logout(session: Session): Promise<void> {
    await this.#store.deleteSession(session.idHash);
  }

  async list(): Promise<User[]> {
    return this.#store.list();
  }

  async create(actor: string, username: string, password: string, role: Role): Promise<User> {
    const name = checkUsername(username);
    checkPassword(password);
    const now = this.#clock.now();
    const user = await this.#store.create(
      { username: name, passwordHash: await hashPassword(password), role: checkRole(role) },
      now,
      { at: now, actor, action: 'user.create', target: name, detail: { role } },
    );
    if (!user) throw new ConflictError(`The user name "${name}" is taken; choose another.`);
    return user;
  }

  async update(
    actor: string,
    id: number,
    change: { role?: Role; password?: string },
  ): Promise<User> {
    const user = await this.#store.findById(id);
    if (!user) throw new NotFoundError(`No user #${id}.`);
    if (change.role !== undefined) checkRole(change.role);
    if (change.password !== undefined) checkPassword(change.password);
    if (change.role === 'moderator' && user.role === 'admin') await this.#keepOneAdmin();
    const now = this.#clock.now();
    const updated = await this.#store.update(
      id,
      {
        ...(change.role ? { role: change.role } : {}),
        ...(change.password ? { passwordHash: await hashPassword(change.password) } : {}),
      },
      now,
      {
        at: now,
        actor,
        action: change.password ? 'user.password' : 'user.role',
        target: user.username,
        detail: change.role ? { role: change.role } : null,
      },
    );
    if (!updated) throw new NotFoundError(`No user #${id}.`);
    if (change.password) await this.#store.deleteSessionsOf(id);
    return updated;
  }

  async remove(actor: string, id: number): Promise<void> {
    const user = await this.#store.findById(id);
    if (!user) throw new NotFoundError(`No user #${id}.`);
    if (user.role === 'admin') await this.#keepOneAdmin();
    await this.#store.remove(id, {
      at: this.#clock.now(),
      actor,
      action: 'user.delete',
      target: user.username,
      detail: null,
    });
  }

  /** A signed-in user changes their own password; their other sessions end. */
  async changeOwnPassword(session: Session, current: string, next: string): Promise<void> {
    if (!(await verifyPassword(current, session.user.passwordHash)))
      throw new InvalidInputError('The current password is wrong.');
    checkPassword(next);
    const now = this.#clock.now();
    await this.#store.update(session.user.id, { passwordHash: await hashPassword(next) }, now, {
      at: now,
      actor: session.user.username,
      action: 'user.password',
      target: session.user.username,
      detail: null,
    });
    await this.#store.deleteSessionsOf(session.user.id, session.idHash);
  }

  /**
   * The command line's way back in: sets a user's password (creating the user as admin if it does
   * not exist) and ends their sessions.
   */
  async resetPassword(username: string, password: string): Promise<{ created: boolean }> {
    const name = checkUsername(username);
    checkPassword(password);
    const user = await this.#store.findByName(name);
    const now = this.#clock.now();
    const audit = (action: string) => ({
      at: now,
      actor: 'command line',
      action,
      target: name,
      detail: null,
    });
    if (!user) {
      await this.#store.create(
        { username: name, passwordHash: await hashPassword(password), role: 'admin' },
        now,
        audit('user.create'),
      );
      return { created: true };
    }
    await this.#store.update(
      user.id,
      { passwordHash: await hashPassword(password) },
      now,
      audit('user.password'),
    );
    await this.#store.deleteSessionsOf(user.id);
    return { created: false };
  }

  async #keepOneAdmin(): Promise<void> {
    if ((await this.#store.countAdmins()) <= 1)
      throw new ConflictError('This is the last administrator; make another user admin first.');
  }
}
