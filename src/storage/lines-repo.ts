import type { Kysely, Selectable } from 'kysely';
import type { Language, Line, ShieldMode } from '../domain/types.ts';
import type { LineStore } from '../hotline/ports.ts';
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
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async findByNumber(number: string): Promise<Line | null> {
    const row = await this.#db
      .selectFrom('lines')
      .selectAll()
      .where('number', '=', number)
      .executeTakeFirst();
    return row ? toLine(row) : null;
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
  }

  async setPaused(
    lineId: number,
    paused: boolean,
    now: number,
    rejectCalls = false,
  ): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .updateTable('lines')
        .set({
          paused: paused ? 1 : 0,
          reject_calls_when_paused: paused && rejectCalls ? 1 : 0,
          updated_at: now,
        })
        .where('id', '=', lineId)
        .execute();
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
  }
}
