import type { Kysely, Selectable } from 'kysely';
import type { AccountStore, SessionRecord, User } from '../accounts/accounts.ts';
import type { Role } from '../accounts/roles.ts';
import { appendAudit, type AuditEntry } from './audit-repo.ts';
import type { Database, UsersTable } from './schema.ts';

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: Number(row.id),
    username: row.username,
    passwordHash: row.password_hash,
    role: row.role as Role,
    createdAt: Number(row.created_at),
    lastLoginAt: row.last_login_at === null ? null : Number(row.last_login_at),
  };
}

type Audit = Omit<AuditEntry, 'id'>;

/** Dashboard accounts and sessions; account changes are audited in the same transaction. */
export class UsersRepo implements AccountStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async count(): Promise<number> {
    const row = await this.#db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async list(): Promise<User[]> {
    const rows = await this.#db.selectFrom('users').selectAll().orderBy('id').execute();
    return rows.map(toUser);
  }

  async findByName(username: string): Promise<User | null> {
    const row = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async findById(id: number): Promise<User | null> {
    const row = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async create(
    user: { username: string; passwordHash: string; role: Role },
    now: number,
    audit: Audit | null,
    options: { onlyIfFirst?: boolean } = {},
  ): Promise<User | null> {
    return this.#db.transaction().execute(async (tx) => {
      if (options.onlyIfFirst) {
        // A marker row with a unique key: of two setups racing, exactly one inserts it.
        const claimed = await tx
          .insertInto('nonmerci_settings')
          .values({ key: 'first_admin', value: user.username })
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return null;
        const existing = await tx.selectFrom('users').select('id').limit(1).executeTakeFirst();
        if (existing) return null;
      }
      const taken = await tx
        .selectFrom('users')
        .select('id')
        .where('username', '=', user.username)
        .executeTakeFirst();
      if (taken) return null;
      const row = await tx
        .insertInto('users')
        .values({
          username: user.username,
          password_hash: user.passwordHash,
          role: user.role,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (audit) await appendAudit(tx, audit);
      return toUser(row);
    });
  }

  async update(
    id: number,
    change: { role?: Role; passwordHash?: string },
    now: number,
    audit: Audit,
  ): Promise<User | null> {
    return this.#db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('users')
        .set({
          ...(change.role ? { role: change.role } : {}),
          ...(change.passwordHash ? { password_hash: change.passwordHash } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) return null;
      await appendAudit(tx, audit);
      return toUser(row);
    });
  }

  async remove(id: number, audit: Audit): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      await tx.deleteFrom('sessions').where('user_id', '=', id).execute();
      const res = await tx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return false;
      await appendAudit(tx, audit);
      return true;
    });
  }

  async countAdmins(): Promise<number> {
    const row = await this.#db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async recordLogin(userId: number, now: number, audit: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx.updateTable('users').set({ last_login_at: now }).where('id', '=', userId).execute();
      await appendAudit(tx, audit);
    });
  }

  async createSession(session: SessionRecord): Promise<void> {
    await this.#db
      .insertInto('sessions')
      .values({
        id_hash: session.idHash,
        user_id: session.userId,
        csrf_token: session.csrfToken,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
      })
      .execute();
  }

  async findSession(idHash: string): Promise<SessionRecord | null> {
    const row = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    return row
      ? {
          idHash: row.id_hash,
          userId: Number(row.user_id),
          csrfToken: row.csrf_token,
          createdAt: Number(row.created_at),
          lastSeenAt: Number(row.last_seen_at),
          expiresAt: Number(row.expires_at),
        }
      : null;
  }

  async touchSession(idHash: string, now: number): Promise<void> {
    await this.#db
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('id_hash', '=', idHash)
      .execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  /** Ends a user's sessions, except one (the browser that changed the password). */
  async deleteSessionsOf(userId: number, except: string | null = null): Promise<void> {
    let q = this.#db.deleteFrom('sessions').where('user_id', '=', userId);
    if (except) q = q.where('id_hash', '!=', except);
    await q.execute();
  }

  async deleteExpiredSessions(now: number): Promise<void> {
    await this.#db.deleteFrom('sessions').where('expires_at', '<', now).execute();
  }
}
