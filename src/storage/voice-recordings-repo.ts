import type { Kysely } from 'kysely';
import { appendAudit } from './audit-repo.ts';
import type { Database } from './schema.ts';

/** Recordings uploaded for a line's voice message; the line points at the newest by URL. */
export class VoiceRecordingsRepo {
  readonly #db: Kysely<Database>;
  /** Called after every change to a line, so this process's line directory reads it again. */
  readonly #onChange: () => void;
  constructor(db: Kysely<Database>, onChange: () => void = () => {}) {
    this.#db = db;
    this.#onChange = onChange;
  }

  /** Stores a recording and points the line at it (older recordings of the line are removed). */
  async replace(
    lineId: number,
    recording: { token: string; contentType: string; data: Buffer; url: string },
    actor: string,
    now: number,
  ): Promise<void> {
    try {
      await this.#db.transaction().execute(async (tx) => {
        await tx.deleteFrom('voice_recordings').where('line_id', '=', lineId).execute();
        await tx
          .insertInto('voice_recordings')
          .values({
            line_id: lineId,
            token: recording.token,
            content_type: recording.contentType,
            data: recording.data,
            created_at: now,
          })
          .execute();
        await tx
          .updateTable('lines')
          .set({ voice_audio_url: recording.url, updated_at: now })
          .where('id', '=', lineId)
          .execute();
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'line.voice_recording',
          target: `line #${lineId}`,
          detail: { contentType: recording.contentType, bytes: recording.data.length },
        });
      });
    } finally {
      this.#onChange();
    }
  }

  /** Goes back to the spoken text. */
  async remove(lineId: number, actor: string, now: number): Promise<void> {
    try {
      await this.#db.transaction().execute(async (tx) => {
        await tx.deleteFrom('voice_recordings').where('line_id', '=', lineId).execute();
        await tx
          .updateTable('lines')
          .set({ voice_audio_url: null, updated_at: now })
          .where('id', '=', lineId)
          .execute();
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'line.voice_text',
          target: `line #${lineId}`,
          detail: null,
        });
      });
    } finally {
      this.#onChange();
    }
  }

  async find(token: string): Promise<{ contentType: string; data: Buffer } | null> {
    const row = await this.#db
      .selectFrom('voice_recordings')
      .select(['content_type', 'data'])
      .where('token', '=', token)
      .executeTakeFirst();
    return row ? { contentType: row.content_type, data: Buffer.from(row.data) } : null;
  }
}
