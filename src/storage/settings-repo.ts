import type { Kysely } from 'kysely';
import type { Organisation } from '../evidence/bundle/types.ts';
import type { Tariff, TariffStore } from '../hotline/tariff.ts';
import { appendAudit } from './audit-repo.ts';
import type { Database } from './schema.ts';

const TARIFF_KEY = 'budget';
const ORGANISATION_KEY = 'filing_organisation';

/** Settings an operator changes from the dashboard, kept as JSON in nonmerci_settings. */
export class SettingsRepo implements TariffStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async load(): Promise<Tariff | null> {
    const row = await this.#db
      .selectFrom('nonmerci_settings')
      .select('value')
      .where('key', '=', TARIFF_KEY)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value) as Tariff) : null;
  }

  async save(tariff: Tariff, actor: string, now: number): Promise<void> {
    const value = JSON.stringify(tariff);
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('nonmerci_settings')
        .values({ key: TARIFF_KEY, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
      await appendAudit(tx, {
        at: now,
        actor,
        action: 'budget.update',
        target: null,
        detail: { ...tariff },
      });
    });
  }

  /** The organisation filing complaints, as set on the Evidence page; null until then. */
  async organisation(): Promise<Organisation | null> {
    const row = await this.#db
      .selectFrom('nonmerci_settings')
      .select('value')
      .where('key', '=', ORGANISATION_KEY)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value) as Organisation) : null;
  }

  async saveOrganisation(organisation: Organisation, actor: string, now: number): Promise<void> {
    const value = JSON.stringify(organisation);
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('nonmerci_settings')
        .values({ key: ORGANISATION_KEY, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
      await appendAudit(tx, {
        at: now,
        actor,
        action: 'evidence.organisation',
        target: organisation.name,
        detail: null,
      });
    });
  }
}
