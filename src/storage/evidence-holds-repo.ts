import type { Kysely } from 'kysely';
import { NotFoundError } from '../accounts/accounts.ts';
import { THREAT_MARKED_BY } from '../domain/types.ts';
import { appendAudit } from './audit-repo.ts';
import type { Database } from './schema.ts';

export interface EvidenceHold {
  id: number;
  kind: 'flagged' | 'exported';
  from: number;
  to: number;
  lineId: number | null;
  lineNumber: string | null;
  note: string | null;
  createdAt: number;
  createdBy: string;
}

/** Periods kept as evidence: retention erases nothing inside them until an admin releases them. */
export class EvidenceHoldsRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Holds not released yet, most recent first. */
  async active(): Promise<EvidenceHold[]> {
    const rows = await this.#db
      .selectFrom('evidence_holds')
      .leftJoin('lines', 'lines.id', 'evidence_holds.line_id')
      .selectAll('evidence_holds')
      .select('lines.number as line_number')
      .where('evidence_holds.released_at', 'is', null)
      .orderBy('evidence_holds.from_at', 'desc')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind as EvidenceHold['kind'],
      from: Number(r.from_at),
      to: Number(r.to_at),
      lineId: r.line_id === null ? null : Number(r.line_id),
      lineNumber: r.line_number,
      note: r.note,
      createdAt: Number(r.created_at),
      createdBy: r.created_by,
    }));
  }

  /** Keeps a period as evidence (flagged by hand, or covered by an export), audited. */
  async hold(h: {
    kind: EvidenceHold['kind'];
    from: number;
    to: number;
    lineId: number | null;
    note: string | null;
    actor: string;
    now: number;
    /** Audit details (for an export: its manifest's SHA-256, the chain head, the counts). */
    detail?: Record<string, unknown>;
  }): Promise<number> {
    return this.#db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('evidence_holds')
        .values({
          kind: h.kind,
          from_at: h.from,
          to_at: h.to,
          line_id: h.lineId,
          note: h.note,
          created_at: h.now,
          created_by: h.actor,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAudit(tx, {
        at: h.now,
        actor: h.actor,
        action: h.kind === 'flagged' ? 'evidence.hold' : 'evidence.export',
        target: periodName(h.from, h.to),
        detail: { hold: Number(row.id), lineId: h.lineId, note: h.note, ...h.detail },
      });
      return Number(row.id);
    });
  }

  /** Releases a hold, audited: retention may then erase what it alone kept. */
  async release(id: number, actor: string, now: number): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('evidence_holds')
        .set({ released_at: now, released_by: actor })
        .where('id', '=', id)
        .where('released_at', 'is', null)
        .returning(['from_at', 'to_at', 'kind'])
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`No evidence hold ${id} is active.`);
      await appendAudit(tx, {
        at: now,
        actor,
        action: 'evidence.release',
        target: periodName(Number(row.from_at), Number(row.to_at)),
        detail: { hold: id, kind: row.kind },
      });
    });
  }

  /** Releases a hostile caller from evidence, audited: retention may then erase them. */
  async releaseCaller(callerId: number, actor: string, now: number, masked: string): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('callers')
        .set({ evidence_released_at: now })
        .where('id', '=', callerId)
        .returning('id')
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`No caller ${callerId}.`);
      // The marks nonmerci put on this caller's threats go with the release; an operator's stay.
      await tx
        .updateTable('contacts')
        .set({ evidence_at: null, evidence_by: null })
        .where('caller_id', '=', callerId)
        .where('evidence_by', '=', THREAT_MARKED_BY)
        .execute();
      await appendAudit(tx, {
        at: now,
        actor,
        action: 'evidence.release_caller',
        target: masked,
        detail: { caller: callerId },
      });
    });
  }
}

function periodName(from: number, to: number): string {
  return `${new Date(from).toISOString()}/${new Date(to).toISOString()}`;
}
