import { sql, type Kysely, type Transaction } from 'kysely';
import { ERASE_BATCH, padded } from './erase-batch.ts';
import {
  EVIDENCE_LABELS,
  HOLD_KINDS,
  HOSTILE_REPLY_REASONS,
  hostileCaller,
} from './evidence-exception.ts';
import type { Database } from './schema.ts';

type Tx = Transaction<Database> | Kysely<Database>;

/** Why a caller's records are kept: the facts behind the evidence exception, for plain words. */
export interface EvidenceFacts {
  hostile: boolean;
  releasedAt: number | null;
  blocked: boolean;
  /** Evidence labels found on the caller's texts. */
  labels: string[];
  marked: { contactId: number; at: number; markedAt: number; markedBy: string | null }[];
  /** Replies withheld for hostility (HOSTILE_REPLY_REASONS). */
  withheld: number;
  /** Unreleased holds covering some of the caller's contacts, with how many. */
  holds: {
    id: number;
    kind: string;
    from: number;
    to: number;
    lineNumber: string | null;
    createdBy: string;
    contacts: number;
  }[];
}

/** The facts behind the evidence exception for one caller, to say in words why it applies. */
export async function evidenceFacts(db: Tx, callerId: number): Promise<EvidenceFacts | null> {
  const caller = await db
    .selectFrom('callers as k')
    .select([
      'k.blocked',
      'k.evidence_released_at',
      sql<number>`case when ${hostileCaller(sql.ref('k.id'))} then 1 else 0 end`.as('hostile'),
    ])
    .where('k.id', '=', callerId)
    .executeTakeFirst();
  if (!caller) return null;
  const labels = (await labelsOf(db, [callerId])).get(callerId) ?? [];
  const marked = await db
    .selectFrom('contacts')
    .select(['id', 'received_at', 'evidence_at', 'evidence_by'])
    .where('caller_id', '=', callerId)
    .where('evidence_at', 'is not', null)
    .orderBy('received_at')
    .execute();
  const withheld = await db
    .selectFrom('lines as l')
    .innerJoin('replies as r', (j) =>
      j.onRef('r.line_id', '=', 'l.id').on('r.caller_id', '=', callerId),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('r.reason', 'in', [...HOSTILE_REPLY_REASONS])
    .executeTakeFirstOrThrow();
  const holds = await db
    .selectFrom('evidence_holds as h')
    .innerJoin('contacts as c', (j) =>
      j
        .onRef('h.from_at', '<=', 'c.received_at')
        .onRef('c.received_at', '<', 'h.to_at')
        .on((eb) =>
          eb.or([eb('h.line_id', 'is', null), eb('h.line_id', '=', eb.ref('c.line_id'))]),
        ),
    )
    .leftJoin('lines as l', 'l.id', 'h.line_id')
    .select([
      'h.id',
      'h.kind',
      'h.from_at',
      'h.to_at',
      'h.created_by',
      'l.number',
      (eb) => eb.fn.count<number>('c.id').as('n'),
    ])
    .where('c.caller_id', '=', callerId)
    .where('h.released_at', 'is', null)
    .where('h.kind', 'in', [...HOLD_KINDS])
    .groupBy(['h.id', 'h.kind', 'h.from_at', 'h.to_at', 'h.created_by', 'l.number'])
    .orderBy('h.from_at')
    .execute();
  return {
    hostile: Number(caller.hostile) === 1,
    releasedAt: caller.evidence_released_at === null ? null : Number(caller.evidence_released_at),
    blocked: Number(caller.blocked) === 1,
    labels: labels.filter((l) => (EVIDENCE_LABELS as readonly string[]).includes(l)),
    marked: marked.map((m) => ({
      contactId: Number(m.id),
      at: Number(m.received_at),
      markedAt: Number(m.evidence_at),
      markedBy: m.evidence_by,
    })),
    withheld: Number(withheld.n),
    holds: holds.map((h) => ({
      id: Number(h.id),
      kind: h.kind,
      from: Number(h.from_at),
      to: Number(h.to_at),
      lineNumber: h.number,
      createdBy: h.created_by,
      contacts: Number(h.n),
    })),
  };
}

/** Every classifier label on the texts of these callers (not only the evidence labels). */
export async function labelsOf(db: Tx, callerIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (let i = 0; i < callerIds.length; i += ERASE_BATCH) {
    const rows = await db
      .selectFrom('contacts')
      .select(['caller_id', 'labels'])
      .distinct()
      .where('caller_id', 'in', padded(callerIds.slice(i, i + ERASE_BATCH)))
      .where('labels', 'is not', null)
      .execute();
    for (const r of rows) {
      const set = new Set(out.get(Number(r.caller_id)));
      for (const l of (r.labels ?? '').split(',')) if (l) set.add(l);
      out.set(Number(r.caller_id), [...set].sort());
    }
  }
  return out;
}
