import type { Kysely } from 'kysely';
import { precompile, slot } from './compiled-query.ts';
import type { Database } from './schema.ts';

/** The processor's per-event statements, compiled once per database (see compiled-query.ts). */
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
    optOut: precompile<[callerId: number, at: number], { id: number }>(
      db
        .updateTable('callers')
        .set({ opted_out_at: slot<number>(1) })
        .where('id', '=', slot<number>(0))
        .where('opted_out_at', 'is', null)
        .returning('id'),
    ),
  };
}
