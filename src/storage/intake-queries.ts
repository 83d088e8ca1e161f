import type { Kysely } from 'kysely';
import { REASONS_THAT_FREE_THE_COOLDOWN } from '../policy/cooldown.ts';
import { precompile, slot } from './compiled-query.ts';
import type { Database } from './schema.ts';

/** The statements of the webhook path, compiled once per database (see compiled-query.ts). */
export function intakeQueries(db: Kysely<Database>) {
  return {
    findDelivered: precompile<
      [provider: string, providerSid: string],
      {
        id: number;
        outcome: string;
        reply_id: number | null;
        blocked: number;
        caller_id: number;
      }
    >(
      db
        .selectFrom('contacts')
        .innerJoin('callers', 'callers.id', 'contacts.caller_id')
        .select([
          'contacts.id',
          'contacts.outcome',
          'contacts.reply_id',
          'callers.blocked',
          'contacts.caller_id',
        ])
        .where('contacts.provider', '=', slot<string>(0))
        .where('contacts.provider_sid', '=', slot<string>(1)),
    ),
    upsertCaller: precompile<
      [
        index: string,
        enc: string,
        type: string,
        country: string | null,
        seenAt: number,
        prefixIndex: string | null,
      ],
      { id: number; blocked: number; opted_out_at: number | null }
    >(
      db
        .insertInto('callers')
        .values({
          number_index: slot<string>(0),
          number_enc: slot<string>(1),
          number_type: slot<string>(2),
          country: slot<string | null>(3),
          first_seen_at: slot<number>(4),
          last_seen_at: slot<number>(4),
          contact_count: 1,
          prefix_index: slot<string | null>(5),
        })
        .onConflict((oc) =>
          oc.column('number_index').doUpdateSet((eb) => ({
            last_seen_at: eb.ref('excluded.last_seen_at'),
            contact_count: eb('callers.contact_count', '+', 1),
          })),
        )
        .returning(['id', 'blocked', 'opted_out_at']),
    ),
    optOut: precompile<[callerId: number, at: number], { id: number }>(
      db
        .updateTable('callers')
        .set({ opted_out_at: slot<number>(1) })
        .where('id', '=', slot<number>(0))
        .where('opted_out_at', 'is', null)
        .returning('id'),
    ),
    latestReply: precompile<[lineId: number, callerId: number, since: number], { id: number }>(
      db
        .selectFrom('replies')
        .select('id')
        .where('line_id', '=', slot<number>(0))
        .where('caller_id', '=', slot<number>(1))
        .where('created_at', '>=', slot<number>(2))
        .where((eb) =>
          eb.or([
            eb('reason', 'is', null),
            eb('reason', 'not in', [...REASONS_THAT_FREE_THE_COOLDOWN]),
          ]),
        )
        .orderBy('created_at', 'desc')
        .limit(1),
    ),
    insertReply: precompile<
      [
        lineId: number,
        callerId: number,
        dueAt: number,
        expiresAt: number,
        key: string,
        createdAt: number,
      ],
      { id: number }
    >(
      db
        .insertInto('replies')
        .values({
          line_id: slot<number>(0),
          caller_id: slot<number>(1),
          state: 'scheduled',
          due_at: slot<number>(2),
          expires_at: slot<number>(3),
          next_attempt_at: slot<number>(2),
          idempotency_key: slot<string>(4),
          created_at: slot<number>(5),
        })
        .returning('id'),
    ),
    insertContact: precompile<
      [
        lineId: number,
        callerId: number,
        kind: string,
        provider: string,
        sid: string,
        at: number,
        body: string | null,
        outcome: string,
        replyId: number | null,
        labels: string | null,
        evidenceAt: number | null,
        evidenceBy: string | null,
      ],
      { id: number }
    >(
      db
        .insertInto('contacts')
        .values({
          line_id: slot<number>(0),
          caller_id: slot<number>(1),
          kind: slot<string>(2),
          provider: slot<string>(3),
          provider_sid: slot<string>(4),
          received_at: slot<number>(5),
          body: slot<string | null>(6),
          outcome: slot<string>(7),
          reply_id: slot<number | null>(8),
          labels: slot<string | null>(9),
          evidence_at: slot<number | null>(10),
          evidence_by: slot<string | null>(11),
        })
        .onConflict((oc) => oc.columns(['provider', 'provider_sid']).doNothing())
        .returning('id'),
    ),
  };
}
