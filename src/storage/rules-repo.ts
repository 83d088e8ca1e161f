import type { Kysely, Selectable } from 'kysely';
import { InvalidInputError } from '../domain/errors.ts';
import type { ClassifiedNumber } from '../domain/phone.ts';
import { maskNumber } from '../domain/phone.ts';
import type { Rule, RuleKind } from '../policy/rules.ts';
import { appendAudit } from './audit-repo.ts';
import type { Database, RulesTable } from './schema.ts';

/** Per-number lists, kept as flags on the caller row (found by blind index, never in clear). */
export type NumberList = 'blocked' | 'allowed' | 'stop';

/** A number as the store needs it: already indexed and encrypted by the vault. */
export interface SealedNumber {
  number: ClassifiedNumber;
  index: string;
  enc: string;
  prefixIndex: string | null;
}

export interface ListedNumber {
  callerId: number;
  numberEnc: string;
  since: number | null;
}

function toRule(row: Selectable<RulesTable>): Rule {
  return {
    id: row.id,
    kind: row.kind as RuleKind,
    value: row.value,
    note: row.note,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

/** Operator rules and per-number lists; every change is written to the audit log with it. */
export class RulesRepo {
  readonly #db: Kysely<Database>;
  /** Called after every change, so this process's cached rule book is refreshed at once. */
  readonly #onChange: () => void;

  constructor(db: Kysely<Database>, onChange: () => void = () => {}) {
    this.#db = db;
    this.#onChange = onChange;
  }

  async list(): Promise<Rule[]> {
    const rows = await this.#db.selectFrom('rules').selectAll().orderBy('id').execute();
    return rows.map(toRule);
  }

  async add(
    rule: { kind: RuleKind; value: string; note: string | null },
    actor: string,
    now: number,
  ): Promise<Rule> {
    const stored = await this.#db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('rules')
        .values({
          kind: rule.kind,
          value: rule.value,
          action: rule.kind === 'keyword' ? 'no_reply' : null,
          note: rule.note,
          created_at: now,
          created_by: actor,
        })
        .onConflict((oc) => oc.columns(['kind', 'value']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row)
        throw new InvalidInputError(`A ${rule.kind} rule for "${rule.value}" exists already.`);
      await appendAudit(tx, {
        at: now,
        actor,
        action: `rule.add`,
        target: `rule #${row.id}`,
        detail: { kind: rule.kind, value: rule.value, note: rule.note },
      });
      return toRule(row);
    });
    this.#onChange();
    return stored;
  }

  async remove(id: number, actor: string, now: number): Promise<Rule> {
    const removed = await this.#db.transaction().execute(async (tx) => {
      const row = await tx
        .deleteFrom('rules')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row)
        throw new InvalidInputError(`There is no rule #${id}; list them with: nonmerci rules`);
      await appendAudit(tx, {
        at: now,
        actor,
        action: 'rule.remove',
        target: `rule #${id}`,
        detail: { kind: row.kind, value: row.value },
      });
      return toRule(row);
    });
    this.#onChange();
    return removed;
  }

  /**
   * Puts a number on a list or takes it off. A number that never called gets a caller row, so the
   * rule holds from its first contact. Returns false when nothing changed.
   */
  async setListed(
    list: NumberList,
    sealed: SealedNumber,
    on: boolean,
    actor: string,
    now: number,
  ): Promise<boolean> {
    const changed = await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('callers')
        .values({
          number_index: sealed.index,
          number_enc: sealed.enc,
          number_type: sealed.number.type,
          country: sealed.number.country,
          prefix_index: sealed.prefixIndex,
          first_seen_at: now,
          last_seen_at: now,
          contact_count: 0,
        })
        .onConflict((oc) => oc.column('number_index').doNothing())
        .execute();
      const set =
        list === 'stop'
          ? { opted_out_at: on ? now : null }
          : list === 'blocked'
            ? { blocked: on ? 1 : 0 }
            : { allowed: on ? 1 : 0 };
      let q = tx.updateTable('callers').set(set).where('number_index', '=', sealed.index);
      q =
        list === 'stop'
          ? q.where('opted_out_at', on ? 'is' : 'is not', null)
          : q.where(list, '=', on ? 0 : 1);
      const res = await q.executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      await appendAudit(tx, {
        at: now,
        actor,
        action: `${list}.${on ? 'add' : 'remove'}`,
        target: maskNumber(sealed.number.normalized),
        detail: null,
      });
      return true;
    });
    if (changed) this.#onChange();
    return changed;
  }

  /** Blind indexes of every blocked number, for the webhook's answer (hotline/caller-memory.ts). */
  async blockedIndexes(): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('callers')
      .select('number_index')
      .where('blocked', '=', 1)
      .execute();
    return rows.map((r) => r.number_index);
  }

  async listed(list: NumberList): Promise<ListedNumber[]> {
    const q = this.#db.selectFrom('callers').select(['id', 'number_enc', 'opted_out_at']);
    const rows = await (
      list === 'stop' ? q.where('opted_out_at', 'is not', null) : q.where(list, '=', 1)
    )
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ callerId: r.id, numberEnc: r.number_enc, since: r.opted_out_at }));
  }
}
