import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface ReplyTally {
  state: string;
  reason: string | null;
  count: number;
}

export interface SenderRow {
  callerId: number;
  numberEnc: string;
  numberType: string;
  blocked: boolean;
  contacts: number;
  lastAt: number;
}

export interface RangeRow {
  /** One number of the range (encrypted): the range is its digits but the last two. */
  sampleEnc: string;
  contacts: number;
  callers: number;
}

/**
 * Read-only counts behind the raid view, for one line since an instant (the shield period's start).
 * Every figure is a query on the contacts and replies themselves, so the view agrees with the
 * database and with the evidence export.
 */
export class RaidRepo {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** The contacts of `lineId` received in [from, to), to count or group. */
  #contacts(lineId: number, from: number, to: number) {
    return this.#db
      .selectFrom('contacts')
      .where('line_id', '=', lineId)
      .where('received_at', '>=', from)
      .where('received_at', '<', to);
  }

  /** The events of `lineId` received in [from, to) still in the intake log (not yet recorded). */
  #logged(lineId: number, from: number, to: number) {
    return this.#db
      .selectFrom('intake_log')
      .where('line_id', '=', lineId)
      .where('received_at', '>=', from)
      .where('received_at', '<', to);
  }

  /**
   * Calls and texts on `lineId` in [from, to) and their distinct numbers, those still in the intake
   * log included (`recording`): during a flood the processor records the log a few seconds behind
   * the webhooks, and the view follows the flood as it comes. Counted in one statement, so that a
   * batch moved from the log to the contacts meanwhile counts once.
   */
  async counts(
    lineId: number,
    from: number,
    to: number,
  ): Promise<{ contacts: number; callers: number; recording: number }> {
    const row = await this.#db
      .selectNoFrom([
        this.#contacts(lineId, from, to)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .as('recorded'),
        this.#contacts(lineId, from, to)
          .select((eb) => eb.fn.count<number>('caller_id').distinct().as('n'))
          .as('callers'),
        this.#logged(lineId, from, to)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .as('recording'),
      ])
      .executeTakeFirstOrThrow();
    const recording = Number(row.recording);
    let callers = Number(row.callers);
    if (recording > 0) {
      // Numbers are told apart by their blind index until the processor has given them a caller.
      const known = this.#contacts(lineId, from, to)
        .innerJoin('callers', 'callers.id', 'contacts.caller_id')
        .select('callers.number_index as n');
      const distinct = await this.#db
        .selectFrom(known.union(this.#logged(lineId, from, to).select('caller_index as n')).as('u'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      callers = Number(distinct.n);
    }
    return { contacts: Number(row.recorded) + recording, callers, recording };
  }

  /** Contacts per bucket of `bucketMs` in [from, to), keyed by the bucket's start (the log's too). */
  async perBucket(lineId: number, from: number, to: number, bucketMs: number) {
    const width = sql.lit(bucketMs);
    const received = this.#contacts(lineId, from, to)
      .select('received_at')
      .unionAll(this.#logged(lineId, from, to).select('received_at'));
    const rows = await this.#db
      .selectFrom(received.as('r'))
      .select([
        sql<number>`received_at / ${width}`.as('b'),
        (eb) => eb.fn.countAll<number>().as('n'),
      ])
      .groupBy(sql`received_at / ${width}`)
      .execute();
    return new Map(rows.map((r) => [Number(r.b) * bucketMs, Number(r.n)]));
  }

  /** Sent replies of `lineId` per bucket in [from, to), with their cost. */
  async sentPerBucket(lineId: number, from: number, to: number, bucketMs: number) {
    const width = sql.lit(bucketMs);
    const rows = await this.#db
      .selectFrom('replies')
      .select([sql<number>`sent_at / ${width}`.as('b'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('line_id', '=', lineId)
      .where('state', '=', 'sent')
      .where('sent_at', '>=', from)
      .where('sent_at', '<', to)
      .groupBy(sql`sent_at / ${width}`)
      .execute();
    return new Map(rows.map((r) => [Number(r.b) * bucketMs, Number(r.n)]));
  }

  /**
   * What became of the replies the contacts received in [from, to) scheduled, by state and
   * reason: one per reply. A contact that found its caller already answered (cooldown) points at
   * that earlier reply but is counted in withoutReply, not as the reply a second time.
   */
  async replies(lineId: number, from: number, to: number): Promise<ReplyTally[]> {
    const rows = await this.#db
      .selectFrom('contacts as c')
      .innerJoin('replies as r', 'r.id', 'c.reply_id')
      .select(['r.state', 'r.reason', (eb) => eb.fn.countAll<number>().as('n')])
      .where('c.outcome', '=', 'reply_scheduled')
      .where('c.line_id', '=', lineId)
      .where('c.received_at', '>=', from)
      .where('c.received_at', '<', to)
      .groupBy(['r.state', 'r.reason'])
      .execute();
    return rows.map((r) => ({ state: r.state, reason: r.reason, count: Number(r.n) }));
  }

  /** Contacts received in [from, to) that got no reply of their own (cooldown, STOP), by outcome. */
  async withoutReply(lineId: number, from: number, to: number): Promise<Map<string, number>> {
    const rows = await this.#contacts(lineId, from, to)
      .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .where('outcome', '!=', 'reply_scheduled')
      .groupBy('outcome')
      .execute();
    return new Map(rows.map((r) => [r.outcome, Number(r.n)]));
  }

  /** What the replies of `lineId` sent in [from, to) cost, in micro-units. */
  async spent(lineId: number, from: number, to: number): Promise<{ sent: number; micros: number }> {
    const row = await this.#db
      .selectFrom('replies')
      .select([
        (eb) => eb.fn.countAll<number>().as('n'),
        // The price the provider reported, or what was reserved until it does (as the gauges count).
        sql<number>`sum(coalesce(cost_micros, reserved_micros))`.as('micros'),
      ])
      .where('line_id', '=', lineId)
      .where('state', '=', 'sent')
      .where('sent_at', '>=', from)
      .where('sent_at', '<', to)
      .executeTakeFirstOrThrow();
    return { sent: Number(row.n), micros: Number(row.micros ?? 0) };
  }

  /**
   * The contacts of `lineId` in [from, to) counted per caller, from the index on line and time
   * alone (migration 013): the callers' rows are then read for the groups kept, not per contact.
   */
  #perCaller(lineId: number, from: number, to: number) {
    return this.#contacts(lineId, from, to)
      .select([
        'caller_id',
        (eb) => eb.fn.countAll<number>().as('n'),
        (eb) => eb.fn.max('received_at').as('last'),
      ])
      .groupBy('caller_id');
  }

  /** The numbers that called or texted most in [from, to). */
  async topSenders(lineId: number, from: number, to: number, limit: number): Promise<SenderRow[]> {
    const top = this.#perCaller(lineId, from, to)
      .orderBy('n', 'desc')
      .orderBy('caller_id')
      .limit(limit);
    const rows = await this.#db
      .selectFrom(top.as('c'))
      .innerJoin('callers as ca', 'ca.id', 'c.caller_id')
      .select(['ca.id', 'ca.number_enc', 'ca.number_type', 'ca.blocked', 'c.n', 'c.last'])
      .orderBy('c.n', 'desc')
      .orderBy('ca.id')
      .execute();
    return rows.map((r) => ({
      callerId: Number(r.id),
      numberEnc: r.number_enc,
      numberType: r.number_type,
      blocked: Number(r.blocked) === 1,
      contacts: Number(r.n),
      lastAt: Number(r.last),
    }));
  }

  /**
   * The ranges of 100 numbers (all digits but the last two) that called or texted most, from two
   * callers or more. Each comes with one number of the range, read once the ranges are chosen.
   */
  async topRanges(lineId: number, from: number, to: number, limit: number): Promise<RangeRow[]> {
    const ranges = this.#db
      .selectFrom(this.#perCaller(lineId, from, to).as('c'))
      .innerJoin('callers as ca', 'ca.id', 'c.caller_id')
      .select([
        'ca.prefix_index',
        (eb) => eb.fn.sum<number>('c.n').as('n'),
        (eb) => eb.fn.countAll<number>().as('callers'),
      ])
      .where('ca.prefix_index', 'is not', null)
      .groupBy('ca.prefix_index')
      .having((eb) => eb.fn.countAll(), '>=', 2)
      .orderBy('n', 'desc')
      .limit(limit);
    const rows = await this.#db
      .selectFrom(ranges.as('r'))
      .select([
        'r.n',
        'r.callers',
        (eb) =>
          eb
            .selectFrom('callers as s')
            .select('s.number_enc')
            .whereRef('s.prefix_index', '=', 'r.prefix_index')
            .limit(1)
            .as('sample'),
      ])
      .orderBy('r.n', 'desc')
      .execute();
    return rows.map((r) => ({
      sampleEnc: String(r.sample),
      contacts: Number(r.n),
      callers: Number(r.callers),
    }));
  }

  /** The texts received most often in [from, to), word for word. */
  async commonTexts(lineId: number, from: number, to: number, limit: number) {
    const rows = await this.#contacts(lineId, from, to)
      .select(['body', (eb) => eb.fn.countAll<number>().as('n')])
      .where('kind', '=', 'text')
      .where('body', 'is not', null)
      .groupBy('body')
      .orderBy('n', 'desc')
      .orderBy('body')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ text: r.body ?? '', count: Number(r.n) }));
  }
}
