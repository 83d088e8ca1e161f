import type { Kysely } from 'kysely';
import type { Destination, DestinationInput } from '../alerts/destinations.ts';
import { appendAudit } from './audit-repo.ts';
import type { Database } from './schema.ts';

const KEY = 'alert_destinations';
const ATTEMPTS = 5;

/** Seals and opens the stored list (it holds webhook addresses and SMTP passwords). */
export interface Sealer {
  seal(text: string): string;
  open(sealed: string): string;
}

interface Stored {
  next: number;
  destinations: Destination[];
}

/**
 * The alert destinations set in the dashboard, one sealed JSON value in nonmerci_settings. Every
 * change is a compare-and-set on the stored value (two admins saving at once: neither change is
 * lost) and is audited, without the secrets.
 */
export class NotificationsRepo {
  readonly #db: Kysely<Database>;
  readonly #sealer: Sealer;
  readonly #onChange: () => void;

  constructor(db: Kysely<Database>, sealer: Sealer, onChange: () => void = () => {}) {
    this.#db = db;
    this.#sealer = sealer;
    this.#onChange = onChange;
  }

  async list(): Promise<Destination[]> {
    return (await this.#read()).stored.destinations;
  }

  async #read(): Promise<{ raw: string | null; stored: Stored }> {
    const row = await this.#db
      .selectFrom('nonmerci_settings')
      .select('value')
      .where('key', '=', KEY)
      .executeTakeFirst();
    if (!row) return { raw: null, stored: { next: 1, destinations: [] } };
    const { sealed } = JSON.parse(row.value) as { sealed: string };
    return { raw: row.value, stored: JSON.parse(this.#sealer.open(sealed)) as Stored };
  }

  /**
   * Applies `change` to the list and saves it, audited as `action` on `target`; returns what
   * `change` returned. Tried again when another process saved in between.
   */
  async #change<T>(
    change: (stored: Stored) => T,
    audit: (result: T) => { action: string; target: string; detail: Record<string, unknown> },
    actor: string,
    now: number,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { raw, stored } = await this.#read();
      const result = change(stored);
      const value = JSON.stringify({ sealed: this.#sealer.seal(JSON.stringify(stored)) });
      const saved = await this.#db.transaction().execute(async (tx) => {
        const res =
          raw === null
            ? await tx
                .insertInto('nonmerci_settings')
                .values({ key: KEY, value })
                .onConflict((oc) => oc.column('key').doNothing())
                .executeTakeFirst()
            : await tx
                .updateTable('nonmerci_settings')
                .set({ value })
                .where('key', '=', KEY)
                .where('value', '=', raw)
                .executeTakeFirst();
        const changed =
          'numInsertedOrUpdatedRows' in res
            ? Number(res.numInsertedOrUpdatedRows ?? 0)
            : Number(res.numUpdatedRows);
        if (changed === 0) return false;
        await appendAudit(tx, { at: now, actor, ...audit(result) });
        return true;
      });
      if (saved) {
        this.#onChange();
        return result;
      }
      if (attempt >= ATTEMPTS)
        throw new Error('The alert destinations changed several times meanwhile; try again.');
    }
  }

  add(d: DestinationInput, actor: string, now: number) {
    return this.#change(
      (stored) => {
        const added = { ...d, id: stored.next, createdAt: now, createdBy: actor };
        stored.next += 1;
        stored.destinations.push(added);
        return added;
      },
      (added) => ({
        action: 'notifications.add',
        target: added.label,
        detail: { kind: added.kind, events: added.events },
      }),
      actor,
      now,
    );
  }

  /** Changes a destination's label or events; null when there is no such destination. */
  update(
    id: number,
    patch: { label?: string; events?: Destination['events'] },
    actor: string,
    now: number,
  ): Promise<Destination | null> {
    return this.#change(
      (stored) => {
        const found = stored.destinations.find((x) => x.id === id);
        if (!found) return null;
        Object.assign(found, patch);
        return found;
      },
      (found) => ({
        action: 'notifications.update',
        target: found?.label ?? `#${id}`,
        detail: { events: found?.events ?? [] },
      }),
      actor,
      now,
    );
  }

  /** Removes a destination; false when there was none. */
  remove(id: number, actor: string, now: number): Promise<boolean> {
    let label = `#${id}`;
    return this.#change(
      (stored) => {
        const before = stored.destinations.length;
        label = stored.destinations.find((x) => x.id === id)?.label ?? label;
        stored.destinations = stored.destinations.filter((x) => x.id !== id);
        return stored.destinations.length < before;
      },
      () => ({ action: 'notifications.remove', target: label, detail: {} }),
      actor,
      now,
    );
  }
}
