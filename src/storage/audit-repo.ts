import type { Kysely, Transaction } from 'kysely';
import { operatorRecord } from '../evidence/events.ts';
import { appendEvidence } from './evidence-repo.ts';
import type { Database } from './schema.ts';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * Appends to the audit log and to the evidence journal, inside the caller's transaction so a change
 * and its record go together (in a transaction of its own when given no transaction).
 */
export async function appendAudit(
  tx: Transaction<Database> | Kysely<Database>,
  entry: Omit<AuditEntry, 'id'>,
): Promise<void> {
  if (!tx.isTransaction) {
    await tx.transaction().execute((inner) => appendAudit(inner, entry));
    return;
  }
  const row = await tx
    .insertInto('audit_log')
    .values({
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendEvidence(tx, [operatorRecord({ auditId: Number(row.id), ...entry })], null);
}

/** The latest audit entries, newest first (before an entry id, for the next page). */
export async function recentAudit(
  db: Kysely<Database>,
  limit: number,
  before: number | null = null,
): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (before !== null) q = q.where('id', '<', before);
  const rows = await q.orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    target: r.target,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  }));
}
