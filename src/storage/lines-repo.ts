import type { Kysely, Selectable } from 'kysely';
import type { Language, Line, ShieldMode } from '../domain/types.ts';
import type { LineStore } from '../hotline/ports.ts';
import { appendAudit } from './audit-repo.ts';
import type { Database, LinesTable } from './schema.ts';

function toLine(row: Selectable<LinesTable>): Line {
  return {
    id: row.id,
    number: row.number,
    provider: row.provider,
    language: row.language as Language,
    voiceText: row.voice_text,
    voiceAudioUrl: row.voice_audio_url,
    replyText: row.reply_text,
    delayMs: row.delay_ms,
    cooldownMs: row.cooldown_ms,
    allowedCountries: row.allowed_countries.split(',').filter(Boolean),
    paused: row.paused === 1,
    rejectCallsWhenPaused: row.reject_calls_when_paused === 1,
    shield: {
      mode: row.shield_mode as ShieldMode,
      active: row.shield_active === 1,
      since: row.shield_since,
      lastSurgeAt: row.shield_last_surge_at,
    },
  };
}

export class LinesRepo implements LineStore {
  readonly #db: Kysely<Database>;
  /** Called after every change to a line, so this process's line directory reads it again. */
  readonly #onChange: () => void;
  constructor(db: Kysely<Database>, onChange: () => void = () => {}) {
    this.#db = db;
    this.#onChange = onChange;
  }

  async findByNumber(number: string): Promise<Line | null> {
    const row = await this.#db
      .selectFrom('lines')
      .selectAll()
      .where('number', '=', number)
      .executeTakeFirst();
    return row ? toLine(row) : null;
  }

  /** Whether an operator edited this line's settings in the dashboard (then they are kept at start). */
  async editedInDashboard(number: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('lines')
      .select('settings_edited_at')
      .where('number', '=', number)
      .executeTakeFirst();
    return row?.settings_edited_at != null;
  }

  async findById(id: number): Promise<Line | null> {
    const row = await this.#db
      .selectFrom('lines')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toLine(row) : null;
  }

  async list(): Promise<Line[]> {
    const rows = await this.#db.selectFrom('lines').selectAll().orderBy('id').execute();
    return rows.map(toLine);
  }

  /** Creates or updates a line's settings; its shield state is left to the shield. */
  async upsert(line: Omit<Line, 'id' | 'shield'>, now: number): Promise<Line> {
    try {
      const values = {
        number: line.number,
        provider: line.provider,
        language: line.language,
        voice_text: line.voiceText,
        voice_audio_url: line.voiceAudioUrl,
        reply_text: line.replyText,
        delay_ms: line.delayMs,
        cooldown_ms: line.cooldownMs,
        allowed_countries: line.allowedCountries.join(','),
        paused: line.paused ? 1 : 0,
        reject_calls_when_paused: line.rejectCallsWhenPaused ? 1 : 0,
        updated_at: now,
      };
      await this.#db
        .insertInto('lines')
        .values({ ...values, created_at: now })
        .onConflict((oc) => oc.column('number').doUpdateSet(values))
        .execute();
      const stored = await this.findByNumber(line.number);
      if (!stored) throw new Error(`line ${line.number} vanished after upsert`);
      return stored;
    } finally {
      this.#onChange();
    }
  }

  /** The kill switch, audited with who pulled it. Resuming releases the replies the pause held. */
  async setPaused(
    lineId: number,
    paused: boolean,
    now: number,
    options: { rejectCalls?: boolean; actor: string },
  ): Promise<void> {
    try {
      const rejectCalls = options.rejectCalls ?? false;
      await this.#db.transaction().execute(async (tx) => {
        const line = await tx
          .updateTable('lines')
          .set({
            paused: paused ? 1 : 0,
            reject_calls_when_paused: paused && rejectCalls ? 1 : 0,
            updated_at: now,
          })
          .where('id', '=', lineId)
          .returning('number')
          .executeTakeFirst();
        if (!line) return;
        await appendAudit(tx, {
          at: now,
          actor: options.actor,
          action: paused ? 'line.pause' : 'line.resume',
          target: line.number,
          detail: paused ? { rejectCalls } : null,
        });
        if (!paused) {
          await tx
            .updateTable('replies')
            .set({ next_attempt_at: now })
            .where('line_id', '=', lineId)
            .where('state', '=', 'scheduled')
            .where('reason', '=', 'paused')
            .execute();
        }
      });
    } finally {
      this.#onChange();
    }
  }

  /** An operator's change to a line's texts and settings, audited with the fields it touched. */
  async update(lineId: number, change: LineChange, actor: string, now: number): Promise<void> {
    try {
      const set = {
        ...(change.language !== undefined ? { language: change.language } : {}),
        ...(change.voiceText !== undefined ? { voice_text: change.voiceText } : {}),
        ...(change.replyText !== undefined ? { reply_text: change.replyText } : {}),
        ...(change.delayMs !== undefined ? { delay_ms: change.delayMs } : {}),
        ...(change.cooldownMs !== undefined ? { cooldown_ms: change.cooldownMs } : {}),
        ...(change.allowedCountries !== undefined
          ? { allowed_countries: change.allowedCountries.join(',') }
          : {}),
      };
      if (Object.keys(set).length === 0) return;
      await this.#db.transaction().execute(async (tx) => {
        const line = await tx
          .updateTable('lines')
          .set({ ...set, updated_at: now, settings_edited_at: now })
          .where('id', '=', lineId)
          .returning('number')
          .executeTakeFirst();
        if (!line) return;
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'line.update',
          target: line.number,
          detail: { fields: Object.keys(change) },
        });
      });
    } finally {
      this.#onChange();
    }
  }
}

export type LineChange = Partial<
  Pick<Line, 'language' | 'voiceText' | 'replyText' | 'delayMs' | 'cooldownMs' | 'allowedCountries'>
>;
