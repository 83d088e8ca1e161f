import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import { isSupportedCountry } from 'libphonenumber-js';
import { NotFoundError } from '../../accounts/accounts.ts';
import { InvalidInputError } from '../../domain/errors.ts';
import { webhookAddresses } from '../../telephony/endpoints.ts';
import { checkReplySegments, REPLY_TEXT, VOICE_TEXT } from '../../domain/operator-text.ts';
import { LANGUAGES, type Line } from '../../domain/types.ts';
import { smsCost } from '../../policy/cost.ts';
import type { LineChange } from '../../storage/lines-repo.ts';
import { HttpError } from '../errors.ts';
import type { LineCheck, LineDetail, SmsCostResponse } from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { idParam, jsonBody, oneOf, operatorText, text, whole, type Json } from './input.ts';
import { lineState } from './overview.ts';
import { actorOf } from './session.ts';

const DAY = 86_400_000;
/**
 * Content types an upload may declare. Only MP3 and WAV are kept (PLAYABLE): they are what
 * Twilio's <Play> accepts everywhere; the others are read so that the refusal can say why.
 */
export const AUDIO_TYPES = [
  'audio/mpeg',
  'audio/mp3',
  'audio/wav',
  'audio/x-wav',
  'audio/wave',
  'audio/ogg',
];

/** What the file's content must be, as `file-type` recognises it from its first bytes. */
const PLAYABLE = new Set(['audio/mpeg', 'audio/wav']);
export const MAX_AUDIO_BYTES = 5 * 1024 * 1024;

function countries(body: Json): string[] | undefined {
  const v = body.allowedCountries;
  if (v === undefined) return undefined;
  const list = Array.isArray(v)
    ? v.map((c) => (typeof c === 'string' ? c.trim().toUpperCase() : ''))
    : [];
  if (list.length === 0 || list.length > 50 || list.some((c) => !isSupportedCountry(c)))
    throw new InvalidInputError(
      '"allowedCountries" must list two-letter country codes, e.g. ["FR", "BE"].',
      { field: 'allowedCountries' },
    );
  return [...new Set(list)];
}

/** Lines: their texts and settings, the recording played on calls, and the SMS cost counter. */
export function linesApi(deps: ApiDeps) {
  const base = deps.settings.publicUrl;
  const detail = async (line: Line): Promise<LineDetail> => ({
    ...lineState(line),
    voiceText: line.voiceText,
    voiceAudioUrl: line.voiceAudioUrl,
    replyText: line.replyText,
    delayMs: line.delayMs,
    cooldownMs: line.cooldownMs,
    allowedCountries: line.allowedCountries,
    webhooks: webhookAddresses(base, line.provider),
    providerConfigured: deps.providerNames.includes(line.provider),
    segmentPriceMicros: (await deps.tariff.current()).segmentPriceMicros,
    currency: deps.settings.currency,
  });
  async function find(request: FastifyRequest): Promise<Line> {
    const line = await deps.lines.findById(idParam(request));
    if (!line) throw new NotFoundError('No such line.');
    return line;
  }
  const reload = async (line: Line) => detail((await deps.lines.findById(line.id)) ?? line);

  return {
    list: async (): Promise<LineDetail[]> => {
      return Promise.all((await deps.lines.list()).map(detail));
    },

    update: async (request: FastifyRequest): Promise<LineDetail> => {
      const body = jsonBody(request);
      const line = await find(request);
      const change: LineChange = {};
      const language = oneOf(body, 'language', LANGUAGES, true);
      if (language) change.language = language;
      const voiceText = operatorText(body, 'voiceText', VOICE_TEXT, true);
      if (voiceText !== undefined) change.voiceText = voiceText;
      const replyText = operatorText(body, 'replyText', REPLY_TEXT, true);
      if (replyText !== undefined) {
        // At most 10 segments: 1,530 characters in GSM-7, 670 in UCS-2.
        checkReplySegments(smsCost(replyText, 0), 'replyText');
        change.replyText = replyText;
      }
      const delayMs = whole(body, 'delayMs', { min: 0, max: 7 * DAY }, true);
      if (delayMs !== undefined) change.delayMs = delayMs;
      // At least an hour, as REPLY_COOLDOWN: otherwise a man who calls back gets a text each time.
      const cooldownMs = whole(body, 'cooldownMs', { min: 3_600_000, max: 366 * DAY }, true);
      if (cooldownMs !== undefined) change.cooldownMs = cooldownMs;
      const allowed = countries(body);
      if (allowed) change.allowedCountries = allowed;
      await deps.lines.update(line.id, change, actorOf(request), deps.clock.now());
      return reload(line);
    },

    uploadVoice: async (request: FastifyRequest): Promise<LineDetail> => {
      const line = await find(request);
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!AUDIO_TYPES.includes(type) || !Buffer.isBuffer(request.body))
        throw new HttpError(
          415,
          'unsupported_media_type',
          'Upload the recording as an MP3 or WAV file.',
        );
      if (request.body.length === 0) throw new InvalidInputError('The file is empty.');
      // The declared type is the browser's guess from the file name: the content decides.
      const found = await fileTypeFromBuffer(request.body);
      if (!found || !PLAYABLE.has(found.mime))
        throw new HttpError(
          415,
          'unsupported_media_type',
          found
            ? `This file holds ${found.ext.toUpperCase()}, which phone calls cannot play; export the recording as MP3 or WAV.`
            : 'This file is not an MP3 or WAV recording (its content does not match its name); export it again as MP3 or WAV.',
        );
      const token = randomBytes(16).toString('base64url');
      await deps.voice.replace(
        line.id,
        { token, contentType: found.mime, data: request.body, url: `${base}/media/voice/${token}` },
        actorOf(request),
        deps.clock.now(),
      );
      return reload(line);
    },

    /** Asks the line's provider, as `nonmerci doctor` does; answers even when a check fails. */
    check: async (request: FastifyRequest): Promise<LineCheck> => {
      const line = await find(request);
      return { provider: line.provider, checks: await deps.checkLine(line) };
    },

    removeVoice: async (request: FastifyRequest): Promise<LineDetail> => {
      const line = await find(request);
      await deps.voice.remove(line.id, actorOf(request), deps.clock.now());
      return reload(line);
    },

    /** The recording, for the provider to play and the dashboard to preview. */
    media: async (request: FastifyRequest, reply: FastifyReply) => {
      const token = (request.params as { token?: string }).token ?? '';
      const found = /^[\w-]{10,64}$/.test(token) ? await deps.voice.find(token) : null;
      if (!found) throw new NotFoundError('No such recording.');
      return reply
        .type(found.contentType)
        .header('cache-control', 'public, max-age=86400, immutable')
        .send(found.data);
    },

    smsCost: async (request: FastifyRequest): Promise<SmsCostResponse> => {
      const body = text(jsonBody(request), 'text', { max: 5000 });
      const cost = smsCost(body, (await deps.tariff.current()).segmentPriceMicros);
      return { ...cost };
    },
  };
}
