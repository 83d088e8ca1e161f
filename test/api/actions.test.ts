import { ContactsRepo } from '../../src/storage/contacts-repo.ts';
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type {
  Budget,
  CallerHistory,
  Chart,
  ContactPage,
  ContactRow,
  LineDetail,
  LineState,
  Overview,
  RuleRow,
  Rules,
  SimulatorInbox,
  SmsCostResponse,
} from '../../src/web/api/contract.ts';
import { DEFAULT_TEXTS } from '../../src/domain/messages.ts';
import { MICROS } from '../../src/domain/types.ts';
import { normaliseKeyword } from '../../src/policy/text/keyword.ts';
import { DIALECTS } from '../support/databases.ts';
import {
  addModerator,
  api,
  auditEntry,
  ok,
  restartDashboard,
  setUp,
  simulateContact,
  startDashboard,
  type Api,
  type Dashboard,
  type SignedIn,
} from '../support/dashboard.ts';
import { FakeTwilio } from '../support/fake-twilio.ts';
import { PUBLIC_URL, callParams, postSigned, smsParams } from '../support/hotline.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Callers, as typed by an operator and in E.164. Their full digits must never leave the server. */
const ANNA = { typed: '06 12 34 56 78', e164: '+33612345678', masked: '+3361****78' };
const BRUNO = { typed: '06 12 34 56 79', e164: '+33612345679', masked: '+3361****79' };
const CLARA = { typed: '06 12 34 56 71', e164: '+33612345671', masked: '+3361****71' };
const INSULT = 'Espèce de connasse';
const CLEAN = "Bonjour, je voulais m'excuser";

/** A status the client caused (4xx), never a server failure. */
function refused(res: LightMyRequestResponse, status?: number): { error: string; message: string } {
  if (status) assert.equal(res.statusCode, status, res.body);
  else assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode}: ${res.body}`);
  return res.json<{ error: string; message: string }>();
}

/** Every E.164 number of a test, and its national spelling, absent from a response body. */
function assertNoFullNumber(body: string, where: string): void {
  for (const caller of [ANNA, BRUNO, CLARA]) {
    const national = caller.e164.slice(3);
    assert.ok(!body.includes(national), `${where} shows ${caller.e164}: ${body.slice(0, 300)}`);
  }
}

for (const dialect of DIALECTS) {
  describe(`dashboard actions [${dialect.name}]`, { skip: dialect.skip }, () => {
    let d: Dashboard;
    let admin: SignedIn;
    let a: Api;
    beforeEach(async () => {
      d = await startDashboard(dialect.name);
      admin = await setUp(d.app);
      a = api(d.app, admin);
    });
    afterEach(() => d?.close());

    const lineId = () => d.hotline.defaultLine.id;
    const overview = async () => ok<Overview>(await a.get('/api/overview'));
    const line = async () =>
      ok<LineDetail[]>(await a.get('/api/lines')).find((l) => l.id === lineId())!;
    const simulate = (from: { typed: string }, kind: 'call' | 'text', body?: string) =>
      simulateContact(a, lineId(), from.typed, kind, body);
    const inbox = async (to: { e164: string }) =>
      ok<SimulatorInbox>(
        await a.get(`/api/simulator/inbox?lineId=${lineId()}&from=${encodeURIComponent(to.e164)}`),
      );
    /** Lets the reply delay pass and the worker do its round. */
    const letRepliesGo = async (ms = HOUR) => {
      d.hotline.clock.advance(ms);
      await d.hotline.worker.drain();
    };

    describe('pause and resume', () => {
      it('pauses a line: the overview says so, the audit log says who', async () => {
        const state = ok<LineState>(await a.post(`/api/lines/${lineId()}/pause`, { paused: true }));
        assert.equal(state.paused, true);
        assert.equal(state.rejectCallsWhenPaused, false);
        assert.equal((await overview()).lines[0]!.paused, true);
        const entry = await auditEntry(d.app, admin, 'line.pause');
        assert.deepEqual(
          [entry.actor, entry.target, entry.detail],
          [admin.info.user!.username, d.hotline.defaultLine.number, { rejectCalls: false }],
        );
      });

      it('holds the replies while paused and releases them on resume', async () => {
        await simulate(ANNA, 'call');
        ok(await a.post(`/api/lines/${lineId()}/pause`, { paused: true }));
        // A caller of a paused line hears the pause message, not the line's.
        assert.deepEqual((await simulate(BRUNO, 'call')).voice, {
          kind: 'say',
          text: DEFAULT_TEXTS.fr.pausedVoice,
          language: 'fr-FR',
        });
        await letRepliesGo();
        assert.deepEqual((await inbox(ANNA)).messages, []);
        const held = await overview();
        assert.equal(held.queue.heldByReason.paused, 2);
        assert.equal(held.queue.held, 2);

        const resumed = ok<LineState>(
          await a.post(`/api/lines/${lineId()}/pause`, { paused: false }),
        );
        assert.equal(resumed.paused, false);
        assert.equal((await overview()).lines[0]!.paused, false);
        const entry = await auditEntry(d.app, admin, 'line.resume');
        assert.equal(entry.actor, admin.info.user!.username);
        await d.hotline.worker.drain();
        assert.equal((await inbox(ANNA)).messages.length, 1);
        assert.equal((await inbox(BRUNO)).messages.length, 1);
        assert.equal((await overview()).queue.held, 0);
      });

      it('refuses calls for free while paused with rejectCalls', async () => {
        const state = ok<LineState>(
          await a.post(`/api/lines/${lineId()}/pause`, { paused: true, rejectCalls: true }),
        );
        assert.equal(state.rejectCallsWhenPaused, true);
        assert.deepEqual((await simulate(ANNA, 'call')).voice, { kind: 'reject' });
        assert.deepEqual((await auditEntry(d.app, admin, 'line.pause')).detail, {
          rejectCalls: true,
        });
      });

      it('refuses a bad request: unknown line 404, paused not a boolean 400', async () => {
        refused(await a.post('/api/lines/999/pause', { paused: true }), 404);
        const bad = refused(await a.post(`/api/lines/${lineId()}/pause`, { paused: 'yes' }), 400);
        assert.match(bad.message, /paused/);
        refused(await a.post(`/api/lines/${lineId()}/pause`, {}), 400);
        assert.equal((await overview()).lines[0]!.paused, false);
      });
    });

    describe('shield', () => {
      it('tells the dashboard how long a paused line keeps its planned replies', async () => {
        assert.equal((await overview()).replyExpiryMs, d.hotline.config.replyExpiryMs);
      });

      it('sets the mode on, off, auto: shown in the overview and audited', async () => {
        for (const mode of ['on', 'off', 'auto'] as const) {
          const state = ok<LineState>(await a.post(`/api/lines/${lineId()}/shield`, { mode }));
          assert.equal(state.shield.mode, mode);
          assert.equal((await overview()).lines[0]!.shield.mode, mode);
          const entry = await auditEntry(d.app, admin, `shield.${mode}`);
          assert.deepEqual(
            [entry.actor, entry.target],
            [admin.info.user!.username, d.hotline.defaultLine.number],
          );
        }
      });

      it('applies a forced shield at once, as "nonmerci shield on" does', async () => {
        const state = ok<LineState>(await a.post(`/api/lines/${lineId()}/shield`, { mode: 'on' }));
        assert.equal(state.shield.active, true);
        assert.equal((await overview()).raid, true);
      });

      it('refuses an unknown mode with 400 naming the field', async () => {
        const bad = refused(await a.post(`/api/lines/${lineId()}/shield`, { mode: 'always' }), 400);
        assert.match(bad.message, /mode/);
        assert.equal((await overview()).lines[0]!.shield.mode, 'auto');
      });
    });

    describe('line settings', () => {
      it('changes texts, language, delay, cooldown and countries; audited with the fields', async () => {
        const changed = ok<LineDetail>(
          await a.patch(`/api/lines/${lineId()}`, {
            replyText: '  Un non est un non.  ',
            voiceText: 'Bonjour, ce numéro ne répond pas.',
            language: 'en',
            delayMs: 15 * MINUTE,
            cooldownMs: 7 * 24 * HOUR,
            allowedCountries: ['fr', 'BE', 'FR'],
          }),
        );
        const expected = {
          replyText: 'Un non est un non.',
          voiceText: 'Bonjour, ce numéro ne répond pas.',
          language: 'en',
          delayMs: 15 * MINUTE,
          cooldownMs: 7 * 24 * HOUR,
          allowedCountries: ['FR', 'BE'],
        };
        const pick = (l: LineDetail) => ({
          replyText: l.replyText,
          voiceText: l.voiceText,
          language: l.language,
          delayMs: l.delayMs,
          cooldownMs: l.cooldownMs,
          allowedCountries: l.allowedCountries,
        });
        assert.deepEqual(pick(changed), expected);
        assert.deepEqual(pick(await line()), expected);
        const entry = await auditEntry(d.app, admin, 'line.update');
        assert.equal(entry.actor, admin.info.user!.username);
        assert.deepEqual(
          [...(entry.detail?.fields as string[])].sort(),
          Object.keys(expected).sort(),
        );
      });

      it('uses the new texts and delay for the next contacts', async () => {
        ok(
          await a.patch(`/api/lines/${lineId()}`, {
            replyText: 'Un non est un non.',
            voiceText: 'Ce numéro ne répond pas.',
            delayMs: 15 * MINUTE,
          }),
        );
        const call = await simulate(ANNA, 'call');
        assert.equal(call.voice?.kind === 'say' && call.voice.text, 'Ce numéro ne répond pas.');
        assert.equal(call.replyDueAt, d.hotline.clock.now() + 15 * MINUTE);
        await letRepliesGo(15 * MINUTE);
        assert.deepEqual(
          (await inbox(ANNA)).messages.map((m) => m.body),
          ['Un non est un non.'],
        );
      });

      it('refuses bad values with 400 naming the field, and changes nothing', async () => {
        const before = await line();
        const bad: [Record<string, unknown>, RegExp][] = [
          [{ replyText: '' }, /SMS text|replyText/],
          [{ replyText: '   ' }, /SMS text|replyText/],
          [{ replyText: 'x'.repeat(1531) }, /replyText/],
          [{ replyText: 42 }, /replyText/],
          [{ voiceText: '' }, /voice message|voiceText/],
          [{ language: 'de' }, /language/],
          [{ delayMs: -1 }, /delayMs/],
          [{ delayMs: 1.5 }, /delayMs/],
          [{ delayMs: '60000' }, /delayMs/],
          [{ delayMs: 8 * 24 * HOUR }, /delayMs/],
          [{ cooldownMs: -5 }, /cooldownMs/],
          [{ cooldownMs: 0 }, /cooldownMs/],
          [{ cooldownMs: HOUR - 1 }, /cooldownMs/],
          [{ allowedCountries: ['XX'] }, /allowedCountries/],
          [{ allowedCountries: [] }, /allowedCountries/],
          [{ allowedCountries: 'FR' }, /allowedCountries/],
          [{ allowedCountries: ['FR', 7] }, /allowedCountries/],
          // A valid field does not go through beside an invalid one.
          [{ replyText: 'Valid text', delayMs: -1 }, /delayMs/],
        ];
        for (const [body, field] of bad) {
          const error = refused(await a.patch(`/api/lines/${lineId()}`, body), 400);
          assert.match(error.message, field, JSON.stringify(body));
        }
        assert.deepEqual(await line(), before);
      });

      it('counts the segments and cost of an SMS text at the price in force', async () => {
        const gsm = ok<SmsCostResponse>(await a.post('/api/sms-cost', { text: 'Bonjour' }));
        assert.deepEqual(gsm, {
          encoding: 'GSM-7',
          segments: 1,
          characters: 7,
          nonGsmCharacters: [],
          costMicros: 160_000,
        });
        const ucs = ok<SmsCostResponse>(
          await a.post('/api/sms-cost', { text: `C’est « non ». ${'x'.repeat(60)}` }),
        );
        assert.equal(ucs.encoding, 'UCS-2');
        assert.deepEqual([...ucs.nonGsmCharacters].sort(), ['«', '»', '’'].sort());
        assert.equal(ucs.segments, 2);
        assert.equal(ucs.costMicros, 320_000);
        ok(
          await a.put('/api/budget', {
            segmentPriceMicros: 50_000,
            dailyMicros: MICROS,
            monthlyMicros: MICROS,
            alertThresholds: [],
          }),
        );
        const cheaper = ok<SmsCostResponse>(await a.post('/api/sms-cost', { text: 'Bonjour' }));
        assert.equal(cheaper.costMicros, 50_000);
      });

      it('answers 404 for an unknown line and 400 for a malformed id', async () => {
        refused(await a.patch('/api/lines/999', { replyText: 'Hello' }), 404);
        for (const id of ['abc', '-1', '0', '1e3'])
          refused(await a.patch(`/api/lines/${id}`, { replyText: 'Hello' }), 400);
      });

      it('keeps the dashboard settings of a line across a restart', async () => {
        ok(
          await a.patch(`/api/lines/${lineId()}`, {
            replyText: 'Un non est un non.',
            language: 'en',
            delayMs: 15 * MINUTE,
            cooldownMs: 7 * 24 * HOUR,
            allowedCountries: ['FR', 'BE'],
          }),
        );
        const saved = await line();
        d = await restartDashboard(d);
        a = api(d.app, admin);
        assert.deepEqual(await line(), saved);
      });
    });

    describe('voice recording', () => {
      const mp3 = Buffer.concat([Buffer.from('ID3\x04\x00'), Buffer.alloc(4096, 0x5a)]);
      /** A WAV file with `bytes` bytes of silence: 8 kHz, 16-bit, mono. */
      const wave = (bytes: number) => {
        const b = Buffer.alloc(44 + bytes);
        b.write('RIFF', 0);
        b.writeUInt32LE(36 + bytes, 4);
        b.write('WAVEfmt ', 8);
        b.writeUInt32LE(16, 16);
        b.writeUInt16LE(1, 20);
        b.writeUInt16LE(1, 22);
        b.writeUInt32LE(8000, 24);
        b.writeUInt32LE(16000, 28);
        b.writeUInt16LE(2, 32);
        b.writeUInt16LE(16, 34);
        b.write('data', 36);
        b.writeUInt32LE(bytes, 40);
        return b;
      };
      const upload = (payload: Buffer, type = 'audio/mpeg') =>
        a.raw({
          method: 'PUT',
          url: `/api/lines/${lineId()}/voice-audio`,
          headers: { 'content-type': type },
          payload,
        });

      it('stores an upload and serves it without a session at the URL the line plays', async () => {
        const detail = ok<LineDetail>(await upload(mp3));
        assert.ok(
          detail.voiceAudioUrl?.startsWith(`${PUBLIC_URL}/media/voice/`),
          detail.voiceAudioUrl ?? '',
        );
        assert.equal((await line()).voiceAudioUrl, detail.voiceAudioUrl);
        const path = (detail.voiceAudioUrl ?? '').slice(PUBLIC_URL.length);
        const media = await d.app.inject({ method: 'GET', url: path });
        assert.equal(media.statusCode, 200);
        assert.equal(media.headers['content-type'], 'audio/mpeg');
        assert.deepEqual(media.rawPayload, mp3);
        // A call now hears the recording.
        assert.deepEqual((await simulate(ANNA, 'call')).voice, {
          kind: 'play',
          url: detail.voiceAudioUrl,
        });
        const entry = await auditEntry(d.app, admin, 'line.voice_recording');
        assert.deepEqual(entry.detail, { contentType: 'audio/mpeg', bytes: mp3.length });
      });

      it('replaces the previous recording, whose URL then answers 404', async () => {
        const first = ok<LineDetail>(await upload(mp3)).voiceAudioUrl!;
        const wav = Buffer.from('RIFF....WAVEfmt fake wave');
        const second = ok<LineDetail>(await upload(wav, 'audio/wav')).voiceAudioUrl!;
        assert.notEqual(first, second);
        const old = await d.app.inject({ method: 'GET', url: first.slice(PUBLIC_URL.length) });
        assert.equal(old.statusCode, 404);
        const now = await d.app.inject({ method: 'GET', url: second.slice(PUBLIC_URL.length) });
        assert.deepEqual(now.rawPayload, wav);
        assert.equal(now.headers['content-type'], 'audio/wav');
      });

      it('refuses another type with 415, an empty file with 400 and more than 5 MB with 413', async () => {
        for (const type of ['text/plain', 'application/octet-stream', 'video/mp4'])
          refused(await upload(mp3, type), 415);
        refused(
          await a.raw({
            method: 'PUT',
            url: `/api/lines/${lineId()}/voice-audio`,
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({ audio: 'base64…' }),
          }),
          415,
        );
        refused(await upload(Buffer.alloc(0)), 400);
        refused(await upload(Buffer.alloc(5 * 1024 * 1024 + 1, 1)), 413);
        assert.equal((await line()).voiceAudioUrl, null);
        // Exactly 5 MB is allowed.
        const wav = wave(5 * 1024 * 1024 - 44);
        assert.equal(wav.length, 5 * 1024 * 1024);
        ok(await upload(wav, 'audio/wav'));
      });

      it('checks the content, not the declared type: a file that is not MP3 or WAV is refused with 415 and not stored', async () => {
        const impostors: [string, Buffer][] = [
          ['bytes of nothing', Buffer.alloc(4096, 1)],
          ['an HTML page', Buffer.from('<!doctype html><script>alert(1)</script>')],
          ['a PNG image', Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex')],
          [
            'an OGG file, which calls cannot play',
            Buffer.concat([Buffer.from('OggS\x00\x02'), Buffer.alloc(200)]),
          ],
        ];
        for (const [what, payload] of impostors) {
          const res = await upload(payload, 'audio/mpeg');
          refused(res, 415);
          assert.match(res.json<{ message: string }>().message, /MP3 or WAV/, what);
        }
        assert.equal((await line()).voiceAudioUrl, null);
      });

      it('stores the type the content has, whatever the browser declared', async () => {
        const detail = ok<LineDetail>(await upload(wave(800), 'audio/x-wav'));
        const media = await d.app.inject({
          method: 'GET',
          url: detail.voiceAudioUrl!.slice(PUBLIC_URL.length),
        });
        assert.equal(media.headers['content-type'], 'audio/wav');
      });

      it('goes back to the spoken text on DELETE, and the old URL answers 404', async () => {
        const url = ok<LineDetail>(await upload(mp3)).voiceAudioUrl!;
        const detail = ok<LineDetail>(await a.delete(`/api/lines/${lineId()}/voice-audio`));
        assert.equal(detail.voiceAudioUrl, null);
        assert.equal((await line()).voiceAudioUrl, null);
        const media = await d.app.inject({ method: 'GET', url: url.slice(PUBLIC_URL.length) });
        assert.equal(media.statusCode, 404);
        assert.equal((await simulate(ANNA, 'call')).voice?.kind, 'say');
        assert.equal(
          (await auditEntry(d.app, admin, 'line.voice_text')).actor,
          admin.info.user!.username,
        );
      });
    });

    describe('budget', () => {
      const budget = async () => ok<Budget>(await a.get('/api/budget'));
      const valid = {
        segmentPriceMicros: 80_000,
        dailyMicros: 2 * MICROS,
        monthlyMicros: 20 * MICROS,
        alertThresholds: [100, 50, 80, 50],
      };

      it('starts from the settings, then uses what the dashboard saves', async () => {
        const initial = await budget();
        assert.equal(initial.source, 'environment');
        assert.equal(initial.segmentPriceMicros, 160_000);
        assert.equal(initial.dailyMicros, 5 * MICROS);
        assert.equal(initial.days.length, 30);
        assert.equal(initial.months.length, 12);

        const saved = ok<Budget>(await a.put('/api/budget', valid));
        const expected = {
          source: 'dashboard',
          segmentPriceMicros: 80_000,
          dailyMicros: 2 * MICROS,
          monthlyMicros: 20 * MICROS,
          alertThresholds: [50, 80, 100],
        };
        const pick = (b: Budget) => ({
          source: b.source,
          segmentPriceMicros: b.segmentPriceMicros,
          dailyMicros: b.dailyMicros,
          monthlyMicros: b.monthlyMicros,
          alertThresholds: b.alertThresholds,
        });
        assert.deepEqual(pick(saved), expected);
        assert.deepEqual(pick(await budget()), expected);
        assert.equal((await overview()).spend.day.capMicros, 2 * MICROS);
        assert.equal((await line()).segmentPriceMicros, 80_000);
        const entry = await auditEntry(d.app, admin, 'budget.update');
        assert.equal(entry.actor, admin.info.user!.username);
        assert.equal(entry.detail?.dailyMicros, 2 * MICROS);
      });

      it('refuses invalid budgets with 400 and keeps the one in force', async () => {
        const bad = [
          { ...valid, dailyMicros: 30 * MICROS },
          { ...valid, dailyMicros: -1 },
          { ...valid, segmentPriceMicros: 11 * MICROS },
          { ...valid, segmentPriceMicros: '80000' },
          { ...valid, monthlyMicros: 1.5 },
          { ...valid, alertThresholds: '50,80' },
          { ...valid, alertThresholds: [0] },
          { ...valid, alertThresholds: [101] },
          { ...valid, alertThresholds: ['50'] },
          { ...valid, alertThresholds: Array.from({ length: 11 }, (_, i) => i + 1) },
          { segmentPriceMicros: 80_000, alertThresholds: [] },
        ];
        for (const body of bad) refused(await a.put('/api/budget', body), 400);
        const b = await budget();
        assert.equal(b.source, 'environment');
        assert.equal(b.dailyMicros, 5 * MICROS);
      });

      it('lists 30 consecutive days of history, also just after a change to summer time', async () => {
        d.hotline.clock.set(Date.UTC(2026, 2, 29, 22, 30)); // Monday 30 March 2026, 00:30 in Paris
        const days = (await budget()).days.map((x) => x.day);
        assert.equal(days.at(-1), '2026-03-30');
        assert.ok(days.includes('2026-03-29'), days.join(' '));
        for (let i = 1; i < days.length; i++) {
          const gap = Date.parse(days[i]!) - Date.parse(days[i - 1]!);
          assert.equal(gap, 24 * HOUR, `${days[i - 1]} → ${days[i]}`);
        }
      });
    });

    describe('contacts', () => {
      let t0: number;
      let rows: Record<'anna' | 'bruno' | 'clara', ContactRow>;
      beforeEach(async () => {
        t0 = d.hotline.clock.now();
        await simulate(ANNA, 'call');
        d.hotline.clock.advance(MINUTE);
        await simulate(BRUNO, 'text', INSULT);
        d.hotline.clock.advance(MINUTE);
        await simulate(CLARA, 'text', CLEAN);
        const page = ok<ContactPage>(await a.get('/api/contacts'));
        const [clara, bruno, anna] = page.contacts;
        rows = { anna: anna!, bruno: bruno!, clara: clara! };
      });
      const ids = async (query: string) =>
        ok<ContactPage>(await a.get(`/api/contacts${query}`)).contacts.map((c) => c.id);

      it('lists contacts newest first; a flagged text is withheld, a clean one shown', async () => {
        const { anna, bruno, clara } = rows;
        assert.deepEqual(
          [anna.kind, anna.at, anna.caller, anna.body, anna.hidden, anna.lineId],
          ['call', t0, ANNA.masked, null, false, lineId()],
        );
        assert.deepEqual(
          [bruno.kind, bruno.caller, bruno.body, bruno.hidden, bruno.labels],
          ['text', BRUNO.masked, null, true, ['insult']],
        );
        assert.deepEqual([clara.body, clara.hidden, clara.labels], [CLEAN, false, []]);
        assert.equal(anna.reply?.state, 'scheduled');
        assert.equal(anna.outcome, 'reply_scheduled');
        // On a calm line an insult costs nobody his reply: it is labelled, hidden, and scheduled.
        assert.deepEqual([bruno.outcome, bruno.reply?.state], ['reply_scheduled', 'scheduled']);
        const text = ok<{ body: string }>(await a.get(`/api/contacts/${bruno.id}/text`));
        assert.equal(text.body, INSULT);
        refused(await a.get(`/api/contacts/${anna.id}/text`), 404);
        refused(await a.get('/api/contacts/999/text'), 404);
      });

      /** An operator blocks Bruno: his reply is withheld when it falls due. */
      const blockBruno = async () =>
        ok(await a.post('/api/lists/blocked', { number: BRUNO.typed, on: true }));

      it('filters by label, replied, reason, line, time, caller and pages', async () => {
        const { anna, bruno, clara } = rows;
        await blockBruno();
        await letRepliesGo();
        assert.deepEqual(await ids('?label=insult'), [bruno.id]);
        assert.deepEqual(await ids('?label=any'), [bruno.id]);
        assert.deepEqual(await ids('?label=clean'), [clara.id, anna.id]);
        assert.deepEqual(await ids('?label=threat'), []);
        assert.deepEqual(await ids('?replied=yes'), [clara.id, anna.id]);
        assert.deepEqual(await ids('?replied=no'), [bruno.id]);
        const brunoReply = ok<ContactPage>(await a.get('/api/contacts?replied=no')).contacts[0]!
          .reply;
        assert.ok(brunoReply?.reason && brunoReply.reason !== 'sent', JSON.stringify(brunoReply));
        assert.deepEqual(await ids(`?reason=${brunoReply.reason}`), [bruno.id]);
        assert.deepEqual(await ids('?reason=sent'), [clara.id, anna.id]);
        assert.deepEqual(await ids(`?line=${lineId()}`), [clara.id, bruno.id, anna.id]);
        assert.deepEqual(await ids(`?line=${lineId() + 100}`), []);
        assert.deepEqual(await ids(`?from=${t0 + MINUTE}`), [clara.id, bruno.id]);
        assert.deepEqual(await ids(`?to=${t0 + MINUTE}`), [anna.id]);
        assert.deepEqual(await ids(`?from=${t0 + MINUTE}&to=${t0 + 2 * MINUTE}`), [bruno.id]);
        assert.deepEqual(await ids(`?caller=${anna.callerId}`), [anna.id]);
        assert.deepEqual(await ids(`?label=clean&replied=yes&from=${t0 + MINUTE}`), [clara.id]);

        const first = ok<ContactPage>(await a.get('/api/contacts?limit=2'));
        assert.deepEqual(
          first.contacts.map((c) => c.id),
          [clara.id, bruno.id],
        );
        assert.equal(first.nextBefore, bruno.id);
        const rest = ok<ContactPage>(
          await a.get(`/api/contacts?limit=2&before=${first.nextBefore}`),
        );
        assert.deepEqual(
          rest.contacts.map((c) => c.id),
          [anna.id],
        );
        assert.equal(rest.nextBefore, null);
      });

      it('counts the contacts and replies per 10 minutes in the chart', async () => {
        await blockBruno();
        await letRepliesGo();
        const chart = ok<Chart>(await a.get('/api/overview/chart?range=24h'));
        assert.equal(chart.bucketMs, 10 * MINUTE);
        assert.equal(chart.times.length, 144);
        assert.equal(chart.contacts.length, 144);
        const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
        assert.equal(sum(chart.contacts), 3);
        assert.equal(sum(chart.replies), 2);
        const bucket = chart.times.findIndex((t) => t <= t0 && t0 < t + chart.bucketMs);
        assert.ok(bucket >= 0, 'the first contact is within the last 24 hours');
        assert.equal(chart.contacts[bucket], 3, 'all three within two minutes of t0');
        const week = ok<Chart>(await a.get('/api/overview/chart?range=7d'));
        assert.equal(week.times.length, 7 * 144);
        assert.equal(sum(week.contacts), 3);
        const recent = ok<Chart>(await a.get('/api/overview/chart?range=3h'));
        assert.deepEqual([recent.range, recent.bucketMs, recent.times.length], ['3h', MINUTE, 180]);
        assert.equal(sum(recent.contacts), 3, 'minute by minute over the last three hours');
        assert.equal(sum(recent.spendMicros), sum(chart.spendMicros));
        // The money the chart says was spent is the money the gauges count: one figure everywhere.
        const spent = (await overview()).spend.day.spentMicros;
        assert.ok(spent > 0);
        assert.equal(sum(chart.spendMicros), spent);
      });

      it('refuses unknown filter values with 400', async () => {
        for (const query of ['label=rude', 'reason=Sent!', 'from=yesterday', 'line=-1', 'limit=x'])
          refused(await a.get(`/api/contacts?${query}`), 400);
      });

      it('marks and unmarks evidence, audited', async () => {
        const { bruno } = rows;
        const marked = ok<ContactRow>(
          await a.post(`/api/contacts/${bruno.id}/evidence`, { evidence: true }),
        );
        assert.equal(marked.evidence, true);
        assert.equal(marked.body, null, 'still withheld');
        assert.deepEqual(await ids('?evidence=yes'), [bruno.id]);
        const mark = await auditEntry(d.app, admin, 'evidence.mark');
        assert.deepEqual(
          [mark.actor, mark.target],
          [admin.info.user!.username, `contact #${bruno.id}`],
        );

        const unmarked = ok<ContactRow>(
          await a.post(`/api/contacts/${bruno.id}/evidence`, { evidence: false }),
        );
        assert.equal(unmarked.evidence, false);
        assert.deepEqual(await ids('?evidence=yes'), []);
        assert.equal(
          (await auditEntry(d.app, admin, 'evidence.unmark')).target,
          `contact #${bruno.id}`,
        );
        refused(await a.post('/api/contacts/999/evidence', { evidence: true }), 404);
        refused(await a.post(`/api/contacts/${bruno.id}/evidence`, { evidence: 'yes' }), 400);
      });

      it('quotes a text in the report (kept as evidence, still withheld here), audited; never a call', async () => {
        const { anna, bruno } = rows;
        const quoted = ok<ContactRow>(
          await a.post(`/api/contacts/${bruno.id}/quote`, { quoted: true }),
        );
        assert.deepEqual([quoted.quoted, quoted.evidence, quoted.body], [true, true, null]);
        assert.equal(
          (await auditEntry(d.app, admin, 'evidence.quote')).target,
          `contact #${bruno.id}`,
        );
        const refs = await new ContactsRepo(d.hotline.storage.db).quotedRefs(t0, t0 + HOUR, null);
        assert.deepEqual([...refs], [`contact:${bruno.id}`]);
        const unquoted = ok<ContactRow>(
          await a.post(`/api/contacts/${bruno.id}/quote`, { quoted: false }),
        );
        assert.deepEqual([unquoted.quoted, unquoted.evidence], [false, true]);
        refused(await a.post(`/api/contacts/${anna.id}/quote`, { quoted: true }), 400);
        refused(await a.post('/api/contacts/999/quote', { quoted: true }), 404);
        refused(await a.post(`/api/contacts/${bruno.id}/quote`, {}), 400);
      });

      it('names every caller with a stable nickname beside his mask, the same after a restart', async () => {
        const { anna, bruno, clara } = rows;
        const nicknames = [anna.nickname, bruno.nickname, clara.nickname];
        for (const nickname of nicknames) assert.match(nickname ?? '', /^[A-Z][a-z]+-\d{2}$/);
        assert.equal(
          new Set(nicknames).size,
          3,
          `three callers, three nicknames: ${nicknames.join()}`,
        );
        await simulate(ANNA, 'text', 'Allô ?');
        const again = ok<ContactPage>(await a.get('/api/contacts')).contacts[0]!;
        assert.equal(again.nickname, anna.nickname, 'the same number, the same nickname');
        const history = ok<CallerHistory>(await a.get(`/api/callers/${anna.callerId}`));
        assert.equal(history.nickname, anna.nickname);
        d = await restartDashboard(d);
        a = api(d.app, admin);
        const later = ok<ContactPage>(await a.get('/api/contacts')).contacts;
        assert.deepEqual(
          later
            .slice(-3)
            .map((c) => c.nickname)
            .reverse(),
          [anna.nickname, bruno.nickname, clara.nickname],
        );
        assertNoFullNumber(JSON.stringify(later), 'the contact list');
      });

      it("shows a caller's history with the number masked", async () => {
        await simulate(ANNA, 'text', 'Pourquoi tu réponds pas');
        await letRepliesGo();
        const history = ok<CallerHistory>(await a.get(`/api/callers/${rows.anna.callerId}`));
        assert.equal(history.caller, ANNA.masked);
        assert.equal(history.numberType, 'mobile');
        assert.equal(history.country, 'FR');
        assert.equal(history.contactCount, 2);
        assert.deepEqual(
          history.contacts.map((c) => c.kind),
          ['text', 'call'],
        );
        assert.deepEqual(
          history.replies.map((r) => [r.state, r.lineNumber]),
          [['sent', d.hotline.defaultLine.number]],
        );
        refused(await a.get('/api/callers/999'), 404);
        refused(await a.get('/api/callers/abc'), 400);
      });

      it('blocks a caller: their next call is refused; unblocking restores it; both audited', async () => {
        const id = rows.anna.callerId;
        const blocked = ok<CallerHistory>(
          await a.post(`/api/callers/${id}/block`, { blocked: true }),
        );
        assert.equal(blocked.blocked, true);
        assert.ok(
          ok<ContactPage>(await a.get(`/api/contacts?caller=${id}`)).contacts.every(
            (c) => c.callerBlocked,
          ),
        );
        const rules = ok<Rules>(await a.get('/api/rules'));
        assert.deepEqual(
          rules.lists.blocked.map((n) => [n.callerId, n.caller]),
          [[id, ANNA.masked]],
        );
        assert.deepEqual((await simulate(ANNA, 'call')).voice, { kind: 'reject' });
        assert.equal(
          (await simulate(BRUNO, 'call')).voice?.kind,
          'say',
          'others still hear the message',
        );
        const add = await auditEntry(d.app, admin, 'blocked.add');
        assert.deepEqual([add.actor, add.target], [admin.info.user!.username, ANNA.masked]);

        const unblocked = ok<CallerHistory>(
          await a.post(`/api/callers/${id}/block`, { blocked: false }),
        );
        assert.equal(unblocked.blocked, false);
        assert.equal((await simulate(ANNA, 'call')).voice?.kind, 'say');
        assert.equal((await auditEntry(d.app, admin, 'blocked.remove')).target, ANNA.masked);
      });

      it('never shows a full caller number in contacts, callers, rules, audit or overview', async () => {
        ok(await a.post(`/api/callers/${rows.anna.callerId}/block`, { blocked: true }));
        ok(await a.post('/api/lists/stop', { number: CLARA.typed, on: true }));
        ok(await a.post(`/api/contacts/${rows.bruno.id}/evidence`, { evidence: true }));
        await letRepliesGo();
        const bodies: [string, LightMyRequestResponse][] = [
          ['contacts', await a.get('/api/contacts')],
          ['rules', await a.get('/api/rules')],
          ['audit', await a.get('/api/audit')],
          ['overview', await a.get('/api/overview')],
          ['chart', await a.get('/api/overview/chart')],
        ];
        for (const row of Object.values(rows))
          bodies.push([`caller ${row.callerId}`, await a.get(`/api/callers/${row.callerId}`)]);
        for (const [where, res] of bodies) {
          assert.equal(res.statusCode, 200, where);
          assertNoFullNumber(res.body, where);
        }
      });
    });

    describe('rules and lists', () => {
      const rules = async () => ok<Rules>(await a.get('/api/rules'));
      const addRule = (kind: string, value: unknown, note?: string) =>
        a.post('/api/rules', { kind, value, ...(note ? { note } : {}) });

      it('adds a block prefix that refuses matching calls, and removes it', async () => {
        const rule = ok<RuleRow>(await addRule('block_prefix', '+33 6 99', 'raid of 12 May'));
        assert.deepEqual(
          [rule.kind, rule.value, rule.note, rule.createdBy, rule.createdAt],
          [
            'block_prefix',
            '+33699',
            'raid of 12 May',
            admin.info.user!.username,
            d.hotline.clock.now(),
          ],
        );
        assert.deepEqual(
          (await rules()).rules.map((r) => r.id),
          [rule.id],
        );
        assert.deepEqual((await simulate({ typed: '06 99 00 00 01' }, 'call')).voice, {
          kind: 'reject',
        });
        assert.equal((await simulate(ANNA, 'call')).voice?.kind, 'say');
        const add = await auditEntry(d.app, admin, 'rule.add');
        assert.deepEqual([add.actor, add.target], [admin.info.user!.username, `rule #${rule.id}`]);

        assert.equal((await a.delete(`/api/rules/${rule.id}`)).statusCode, 204);
        assert.deepEqual((await rules()).rules, []);
        assert.equal((await simulate({ typed: '06 99 00 00 02' }, 'call')).voice?.kind, 'say');
        assert.equal((await auditEntry(d.app, admin, 'rule.remove')).target, `rule #${rule.id}`);
        refused(await a.delete(`/api/rules/${rule.id}`), 404);
      });

      it('adds allow prefixes and keywords, normalised', async () => {
        const allow = ok<RuleRow>(await addRule('allow_prefix', '0033 6 98*'));
        assert.equal(allow.value, '+33698');
        const keyword = ok<RuleRow>(await addRule('keyword', 'CONNARD'));
        assert.equal(keyword.value, normaliseKeyword('connard'));
        assert.deepEqual(
          (await rules()).rules.map((r) => r.kind),
          ['allow_prefix', 'keyword'],
        );
      });

      it('refuses a bad rule with 400 and a duplicate with a 4xx', async () => {
        for (const [kind, value] of [
          ['block_prefix', 'abc'],
          ['block_prefix', '06 99'],
          ['block_prefix', ''],
          ['allow_prefix', '+33 6 99 x'],
          ['keyword', 'a'],
          ['regex', '.*'],
          ['keyword', 42],
          ['keyword', 'x'.repeat(101)],
        ] as const) {
          const error = refused(await addRule(kind, value), 400);
          assert.ok(error.message.length > 0);
        }
        ok(await addRule('keyword', 'connard'));
        refused(await addRule('keyword', 'CONNARD'));
        assert.equal((await rules()).rules.length, 1);
      });

      it('puts a typed number on the blocklist, shown masked, and takes it off by caller id', async () => {
        const added = ok<Rules>(
          await a.post('/api/lists/blocked', { number: ANNA.typed, on: true }),
        );
        assert.equal(added.lists.blocked.length, 1);
        const [entry] = added.lists.blocked;
        assert.equal(entry!.caller, ANNA.masked);
        assertNoFullNumber(JSON.stringify(added), 'POST /api/lists/blocked');
        assert.deepEqual((await rules()).lists.blocked, added.lists.blocked);
        assert.deepEqual((await simulate(ANNA, 'call')).voice, { kind: 'reject' });
        assert.equal((await auditEntry(d.app, admin, 'blocked.add')).target, ANNA.masked);

        const removed = ok<Rules>(
          await a.post('/api/lists/blocked', { callerId: entry!.callerId, on: false }),
        );
        assert.deepEqual(removed.lists.blocked, []);
        assert.equal((await simulate(ANNA, 'call')).voice?.kind, 'say');
        assert.equal((await auditEntry(d.app, admin, 'blocked.remove')).target, ANNA.masked);
      });

      it('puts a number on the STOP list: its texts are recorded as opted out', async () => {
        const added = ok<Rules>(await a.post('/api/lists/stop', { number: ANNA.e164, on: true }));
        assert.deepEqual(
          added.lists.stop.map((n) => [n.caller, n.since]),
          [[ANNA.masked, d.hotline.clock.now()]],
        );
        assert.equal((await simulate(ANNA, 'text', 'Bonjour')).outcome, 'opted_out');
        assert.equal((await auditEntry(d.app, admin, 'stop.add')).target, ANNA.masked);
        ok(await a.post('/api/lists/allowed', { number: BRUNO.typed, on: true }));
        assert.deepEqual(
          (await rules()).lists.allowed.map((n) => n.caller),
          [BRUNO.masked],
        );
      });

      it('refuses an unknown list (404), a bad number or caller (400/404)', async () => {
        refused(await a.post('/api/lists/vip', { number: ANNA.typed, on: true }), 404);
        refused(await a.post('/api/lists/blocked', { number: 'not a number', on: true }), 400);
        refused(await a.post('/api/lists/blocked', { number: ANNA.typed }), 400);
        refused(await a.post('/api/lists/blocked', { on: true }), 400);
        refused(await a.post('/api/lists/blocked', { callerId: 999, on: true }), 404);
        refused(await a.post('/api/lists/blocked', { callerId: 'abc', on: true }), 400);
        const r = await rules();
        assert.deepEqual([r.lists.blocked, r.lists.allowed, r.lists.stop], [[], [], []]);
      });
    });

    describe('simulator', () => {
      it('answers a call with the spoken message and schedules the reply', async () => {
        const result = await simulate(ANNA, 'call');
        const detail = await line();
        assert.deepEqual(result.voice, { kind: 'say', text: detail.voiceText, language: 'fr-FR' });
        assert.equal(result.outcome, 'reply_scheduled');
        assert.equal(result.replyDueAt, d.hotline.clock.now() + detail.delayMs);
        // A second contact schedules nothing new; it points at the reply already waiting.
        d.hotline.clock.advance(MINUTE);
        const again = await simulate(ANNA, 'call');
        assert.equal(again.outcome, 'cooldown');
        assert.equal(again.replyDueAt, result.replyDueAt);
        assert.equal((await overview()).queue.waiting, 1);
      });

      it('delivers the reply to a text into the pretend phone once the delay has passed', async () => {
        const result = await simulate(ANNA, 'text', CLEAN);
        assert.equal(result.voice, null);
        assert.equal(result.outcome, 'reply_scheduled');
        assert.equal(result.replyDueAt, d.hotline.clock.now() + HOUR);
        const waiting = await inbox(ANNA);
        assert.deepEqual(waiting.messages, []);
        assert.equal(waiting.reply?.state, 'scheduled');
        await letRepliesGo(HOUR - 1000);
        assert.deepEqual((await inbox(ANNA)).messages, []);
        await letRepliesGo(1000);
        const delivered = await inbox(ANNA);
        assert.deepEqual(
          delivered.messages.map((m) => [m.body, m.segments]),
          [[(await line()).replyText, 1]],
        );
        assert.equal(delivered.reply?.state, 'sent');
        assert.deepEqual((await inbox(BRUNO)).messages, [], 'nothing reached another number');
        assert.equal((await overview()).today.repliesSent, 1);
      });

      it('refuses bad input: unknown line 404, bad number or kind 400, text without body 400', async () => {
        const send = (body: Record<string, unknown>) =>
          a.post('/api/simulator/contact', {
            lineId: lineId(),
            from: ANNA.typed,
            kind: 'call',
            ...body,
          });
        refused(await send({ lineId: 999 }), 404);
        refused(await send({ from: 'hello' }), 400);
        refused(await send({ kind: 'fax' }), 400);
        refused(await send({ kind: 'text' }), 400);
        refused(await send({ kind: 'text', body: '   ' }), 400);
        refused(await a.get(`/api/simulator/inbox?lineId=${lineId()}&from=hello`), 400);
        assert.equal((await overview()).today.contacts, 0);
      });
    });

    describe('malformed requests', () => {
      it('answers each without a server error', async () => {
        const line = lineId();
        const json = (method: 'POST' | 'PUT' | 'PATCH', url: string, payload: string) =>
          a.raw({ method, url, headers: { 'content-type': 'application/json' }, payload });
        const huge = 'x'.repeat(100_000);
        const requests: [string, () => Promise<LightMyRequestResponse>][] = [
          ['not JSON', () => json('POST', '/api/rules', '{kind: keyword')],
          ['empty JSON body', () => json('POST', '/api/rules', '')],
          ['JSON array', () => json('POST', '/api/rules', '[1, 2]')],
          ['JSON string', () => json('PATCH', `/api/lines/${line}`, '"replyText"')],
          ['JSON null', () => json('PUT', '/api/budget', 'null')],
          ['__proto__ key', () => json('POST', '/api/rules', '{"__proto__": {"kind": "keyword"}}')],
          [
            'form body',
            () =>
              a.raw({
                method: 'POST',
                url: '/api/rules',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                payload: 'kind=keyword&value=connard',
              }),
          ],
          ['wrong types', () => a.post('/api/rules', { kind: ['keyword'], value: { a: 1 } })],
          [
            'wrong types in budget',
            () =>
              a.put('/api/budget', {
                segmentPriceMicros: null,
                dailyMicros: true,
                monthlyMicros: {},
                alertThresholds: [[50]],
              }),
          ],
          ['huge string', () => a.post('/api/rules', { kind: 'keyword', value: huge })],
          [
            'huge number',
            () =>
              a.post('/api/simulator/contact', { lineId: 1e300, from: ANNA.typed, kind: 'call' }),
          ],
          ['line id abc', () => a.patch('/api/lines/abc', { replyText: 'x' })],
          ['line id -1', () => a.post('/api/lines/-1/pause', { paused: true })],
          [
            'line id 20 digits',
            () => a.post('/api/lines/99999999999999999999/shield', { mode: 'on' }),
          ],
          ['contact id abc', () => a.get('/api/contacts/abc/text')],
          ['contact id -1', () => a.post('/api/contacts/-1/evidence', { evidence: true })],
          ['caller id 1.5', () => a.get('/api/callers/1.5')],
          ['caller id huge', () => a.post('/api/callers/999999999999999/block', { blocked: true })],
          ['rule id abc', () => a.delete('/api/rules/abc')],
          ['user id -1', () => a.delete('/api/users/-1')],
          ['unknown list', () => a.post('/api/lists/__proto__', { number: ANNA.typed, on: true })],
          ['list callerId huge', () => a.post('/api/lists/blocked', { callerId: 1e300, on: true })],
          ['contacts: bad numbers', () => a.get('/api/contacts?from=1e400&to=-5&limit=abc')],
          ['contacts: huge before', () => a.get('/api/contacts?before=99999999999999999999')],
          ['contacts: repeated filter', () => a.get('/api/contacts?label=insult&label=threat')],
          ['chart: unknown range', () => a.get('/api/overview/chart?range=1y')],
          ['audit: before abc', () => a.get('/api/audit?before=abc&limit=abc')],
          ['inbox: no number', () => a.get(`/api/simulator/inbox?lineId=${line}`)],
          ['inbox: line abc', () => a.get('/api/simulator/inbox?lineId=abc&from=0612345678')],
          ['sms-cost: huge text', () => a.post('/api/sms-cost', { text: huge })],
          ['sms-cost: not text', () => a.post('/api/sms-cost', { text: 5 })],
          [
            'login: object as name',
            () =>
              d.app.inject({
                method: 'POST',
                url: '/api/login',
                payload: { username: { $gt: '' }, password: 'x' },
              }),
          ],
          [
            'login: huge name',
            () =>
              d.app.inject({
                method: 'POST',
                url: '/api/login',
                payload: { username: huge, password: huge },
              }),
          ],
          [
            'media: bad token',
            () => d.app.inject({ method: 'GET', url: '/media/voice/..%2F..%2Fetc' }),
          ],
          ['unknown API path', () => a.get('/api/nothing-here')],
          [
            'too large a JSON body',
            () => a.post('/api/rules', { kind: 'keyword', value: 'x'.repeat(70_000) }),
          ],
        ];
        for (const [name, request] of requests) {
          const res = await request();
          assert.ok(res.statusCode < 500, `${name}: ${res.statusCode} ${res.body}`);
          if (res.statusCode >= 400)
            assert.equal(typeof res.json<{ message: string }>().message, 'string', name);
        }
      });

      // Numbers the database cannot store (fractions, beyond bigint) are refused before the query.
      const badNumbers = [
        '/api/audit?limit=1.5',
        '/api/audit?before=99999999999999999999',
        '/api/simulator/inbox?lineId=1.5&from=0612345678',
        '/api/simulator/inbox?lineId=1e400&from=0612345678',
        '/api/simulator/inbox?lineId=99999999999999999999&from=0612345678',
      ];
      for (const url of badNumbers)
        it(`answers GET ${url} with 400`, async () => {
          const res = await a.get(url);
          assert.equal(res.statusCode, 400, res.body);
        });
    });
  });

  describe(`dashboard on a Twilio line [${dialect.name}]`, { skip: dialect.skip }, () => {
    const twilioApi = new FakeTwilio();
    let d: Dashboard;
    let a: Api;
    let admin: SignedIn;
    let base: string;
    before(() => twilioApi.start());
    after(() => twilioApi.stop());
    beforeEach(async () => {
      twilioApi.messages.length = 0;
      d = await startDashboard(dialect.name, { twilio: twilioApi.settings });
      admin = await setUp(d.app);
      a = api(d.app, admin);
      base = await d.app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterEach(() => d?.close());
    // Answered once the event is in the intake log; recorded (contact, reply) right after.
    const post = async (path: string, params: Record<string, string>) => {
      const res = await postSigned(base, path, params, twilioApi.authToken);
      await d.hotline.processor.drain();
      return res;
    };
    const overview = async () => ok<Overview>(await a.get('/api/overview'));

    it('holds a reply when the daily cap set in the dashboard is too low, sends it when raised', async () => {
      const budget = {
        segmentPriceMicros: 160_000,
        dailyMicros: 100_000,
        monthlyMicros: 50 * MICROS,
        alertThresholds: [50, 80, 100],
      };
      ok(await a.put('/api/budget', budget));
      assert.equal((await post('/webhooks/twilio/voice', callParams(ANNA.e164))).status, 200);
      d.hotline.clock.advance(HOUR);
      await d.hotline.worker.drain();
      assert.equal(twilioApi.messages.length, 0);
      const held = await overview();
      assert.equal(held.queue.heldByReason.budget_exhausted, 1);
      const [contact] = ok<ContactPage>(await a.get('/api/contacts')).contacts;
      assert.equal(contact?.reply?.reason, 'budget_exhausted');
      assert.deepEqual(
        ok<ContactPage>(await a.get('/api/contacts?reason=budget_exhausted')).contacts.map(
          (c) => c.id,
        ),
        [contact.id],
      );

      ok(await a.put('/api/budget', { ...budget, dailyMicros: 5 * MICROS }));
      d.hotline.clock.advance(10 * MINUTE);
      await d.hotline.worker.drain();
      assert.deepEqual(
        twilioApi.messages.map((m) => m.to),
        [ANNA.e164],
      );
      const after = await overview();
      assert.equal(after.queue.held, 0);
      assert.equal(after.today.repliesSent, 1);
      assert.equal(after.spend.day.spentMicros, 160_000);
      const history = ok<Budget>(await a.get('/api/budget'));
      assert.deepEqual(history.days.at(-1), {
        day: '2026-11-01',
        spentMicros: 160_000,
        replies: 1,
      });
      assert.deepEqual(history.months.at(-1), { month: '2026-11', spentMicros: 160_000 });
      assert.equal(history.spend.day.spentMicros, 160_000);
    });

    it('refuses to drive a Twilio line from the simulator (400)', async () => {
      const res = await a.post('/api/simulator/contact', {
        lineId: d.hotline.defaultLine.id,
        from: ANNA.typed,
        kind: 'text',
        body: 'Bonjour',
      });
      refused(res, 400);
      refused(
        await a.get(`/api/simulator/inbox?lineId=${d.hotline.defaultLine.id}&from=0612345678`),
        400,
      );
      assert.equal(twilioApi.messages.length, 0);
      assert.equal((await overview()).today.contacts, 0);
    });

    it('lists a text that came through a signed webhook, withheld when insulting', async () => {
      assert.equal((await post('/webhooks/twilio/sms', smsParams(BRUNO.e164, INSULT))).status, 200);
      const [row] = ok<ContactPage>(await a.get('/api/contacts?label=insult')).contacts;
      assert.deepEqual([row?.caller, row?.body, row?.hidden], [BRUNO.masked, null, true]);
      assert.equal(ok<{ body: string }>(await a.get(`/api/contacts/${row!.id}/text`)).body, INSULT);
    });

    it('streams the overview at once, then again when a contact arrives', async () => {
      const stream = await openEvents(base, admin.cookie);
      try {
        assert.equal(stream.status, 200);
        assert.match(stream.contentType, /^text\/event-stream/);
        const first = await stream.next(() => true);
        assert.equal(first.today.contacts, 0);
        assert.equal(first.lines[0]!.number, d.hotline.defaultLine.number);
        assert.equal((await post('/webhooks/twilio/sms', smsParams(ANNA.e164, CLEAN))).status, 200);
        const next = await stream.next((o) => o.today.contacts === 1);
        assert.equal(next.today.texts, 1);
        assert.equal(next.queue.waiting, 1);
        // Each recorded contact is announced too, by id and count only: never who called.
        assert.equal((await post('/webhooks/twilio/voice', callParams(BRUNO.e164))).status, 200);
        const [call] = ok<ContactPage>(await a.get('/api/contacts')).contacts;
        const announced = await stream.nextOf<{ count: number; newest: number }>(
          'contacts',
          (c, raw) => {
            assert.ok(!raw.includes(BRUNO.e164.slice(3)), raw);
            return c.newest === call!.id;
          },
        );
        assert.ok(announced.count >= 1);
      } finally {
        stream.close();
      }
    });

    it('lists a withheld caller as "withheld", who cannot be blocked (400)', async () => {
      assert.equal((await post('/webhooks/twilio/voice', callParams('anonymous'))).status, 200);
      const [row] = ok<ContactPage>(await a.get('/api/contacts')).contacts;
      assert.ok(row);
      assert.equal(row.caller, 'withheld');
      refused(await a.post(`/api/callers/${row.callerId}/block`, { blocked: true }), 400);
      refused(await a.post('/api/lists/blocked', { callerId: row.callerId, on: true }), 400);
      assert.deepEqual(ok<Rules>(await a.get('/api/rules')).lists.blocked, []);
    });

    it('ends the live stream of a user who is deleted', async () => {
      const bob = await addModerator(d.app, admin);
      const stream = await openEvents(base, bob.session.cookie);
      try {
        await stream.next(() => true);
        assert.equal((await a.delete(`/api/users/${bob.user.id}`)).statusCode, 204);
        assert.equal((await post('/webhooks/twilio/sms', smsParams(ANNA.e164, CLEAN))).status, 200);
        await assert.rejects(
          stream.next((o) => o.today.contacts === 1),
          'no news reaches a deleted account',
        );
      } finally {
        stream.close();
      }
    });

    it('refuses the stream without a session (401)', async () => {
      const res = await fetch(`${base}/api/events`);
      assert.equal(res.status, 401);
      await res.body?.cancel();
    });
  });
}

/** GET /api/events over real HTTP, read event by event. */
async function openEvents(base: string, cookie: string) {
  const controller = new AbortController();
  // A guard against a stream that never sends what the test waits for; not a timing assertion.
  const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(30_000)]);
  const res = await fetch(`${base}/api/events`, { headers: { cookie }, signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    /** The next `overview` event that satisfies `wanted`, within a bounded number of reads. */
    next(wanted: (o: Overview) => boolean): Promise<Overview> {
      return this.nextOf('overview', wanted);
    },
    /** The next event named `name` whose data satisfies `wanted`, with its raw data. */
    async nextOf<T>(name: string, wanted: (data: T, raw: string) => boolean): Promise<T> {
      for (let reads = 0; reads < 100; reads++) {
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          if (!block.includes(`event: ${name}`)) continue;
          const raw = block.find((l) => l.startsWith('data: '))!.slice(6);
          const data = JSON.parse(raw) as T;
          if (wanted(data, raw)) return data;
        }
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
      }
      throw new Error(`the stream ended without the expected ${name} event`);
    },
    close: () => controller.abort(),
  };
}
