import type { Kysely } from 'kysely';
import { intakeQueries } from './intake-queries.ts';
import type { Database } from './schema.ts';

export interface ReplySummary {
  id: number;
  state: string;
  reason: string | null;
  detail: string | null;
  dueAt: number;
  createdAt: number;
  body: string | null;
}

/** Answers "why did / didn't this number get a reply?" for one caller. */
export class ReplyLookupRepo {
  readonly #db: Kysely<Database>;
  /** The intake's own look-up of a provider's message (a retry is recognised by the same). */
  readonly #findDelivered: ReturnType<typeof intakeQueries>['findDelivered'];
  constructor(db: Kysely<Database>) {
    this.#db = db;
    this.#findDelivered = intakeQueries(db).findDelivered;
  }

  /** Whether the provider's message with this id is recorded as a contact yet. */
  async recorded(provider: string, providerSid: string): Promise<boolean> {
    return (await this.#findDelivered(this.#db, provider, providerSid)).length > 0;
  }

  async latestFor(lineId: number, callerIndex: string): Promise<ReplySummary | null> {
    const row = await this.#db
      .selectFrom('replies')
      .innerJoin('callers', 'callers.id', 'replies.caller_id')
      .select([
        'replies.id',
        'replies.state',
        'replies.reason',
        'replies.detail',
        'replies.due_at',
        'replies.created_at',
        'replies.body',
      ])
      .where('replies.line_id', '=', lineId)
      .where('callers.number_index', '=', callerIndex)
      .orderBy('replies.created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      state: row.state,
      reason: row.reason,
      detail: row.detail,
      dueAt: row.due_at,
      createdAt: row.created_at,
      body: row.body,
    };
  }
}
