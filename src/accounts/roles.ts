/**
 * Dashboard roles. An admin does everything; a moderator reads contacts and evidence and manages
 * the blocklist and rules, but touches neither the budget, the lines and providers, nor accounts.
 */
export type Role = 'admin' | 'moderator';
export const ROLES: readonly Role[] = ['admin', 'moderator'];

const RANK: Record<Role, number> = { moderator: 1, admin: 2 };

/** Whether a user of this role may use a route that needs `needed`. */
export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}
