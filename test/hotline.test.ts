import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Config } from '../src/config/load.ts';
import { MICROS } from '../src/domain/types.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { FakeTwilio } from './support/fake-twilio.ts';
import {
  LINE,
  callParams,
  postSigned,
  smsParams,
  startHotline,
  testConfig,
  type TestHotline,
} from './support/hotline.ts';

const HOUR = 3_600_000;
const CALLER = '+33612345601';

for (const dialect of DIALECTS) {
  describe(`hotline end to end over HTTP [${dialect.name}]`, { skip: dialect.skip }, () => {
    const twilioApi = new FakeTwilio();
    let db: TestDatabase;
    let hotline: TestHotline;
    let base: string;

    before(() => twilioApi.start());
    after(() => twilioApi.stop());

    async function boot(overrides: Partial<Config> = {}) {
      db = await createTestDatabase(dialect.name);
      hotline = await startHotline(
        testConfig(db.target, {
          twilio: twilioApi.settings,
          ...overrides,
        }),
      );
      base = await hotline.app().listen({ port: 0, host: '127.0.0.1' });
    }
    beforeEach(async () => {
      twilioApi.messages.length = 0;
      twilioApi.attempts.clear();
      twilioApi.failure = () => null;
      await boot();
    });
    afterEach(async () => {
      // Runs even when boot failed half-way, so no schema or file is left behind.
      await hotline?.close().catch(() => {});
      await db?.drop();
    });

    // Answered once the event is in the intake log; recorded (contact, reply) right after.
    const post = async (path: string, params: Record<string, string>) => {
      const res = await postSigned(base, path, params, twilioApi.authToken);
      await hotline.processor.drain();
      return res;
    };
    const count = async (table: 'contacts' | 'replies' | 'callers') =>
      Number(
        (
          await hotline.storage.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const replies = () =>
      hotline.storage.db.selectFrom('replies').selectAll().orderBy('id').execute();

    it('answers a call with TwiML and texts the caller once, one hour later, then settles the price', async () => {
      const res = await post('/webhooks/twilio/voice', callParams(CALLER));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/xml/);
      const twiml = await res.text();
      assert.match(twiml, /<Say language="fr-FR" voice="Polly.Lea">Bonjour\./);
      assert.match(twiml, /<Hangup\/><\/Response>$/);

      await hotline.worker.drain();
      assert.equal(twilioApi.messages.length, 0, 'nothing is sent before the delay');
      hotline.clock.advance(HOUR - 1000);
      await hotline.worker.drain();
      assert.equal(twilioApi.messages.length, 0);
      hotline.clock.advance(1000);
      await hotline.worker.drain();
      assert.equal(twilioApi.messages.length, 1);
      const [sms] = twilioApi.messages;
      assert.equal(sms!.to, CALLER);
      assert.equal(sms!.from, LINE);
      assert.match(sms!.body, /Un non est un non/);
      assert.match(
        sms!.statusCallback ?? '',
        /^https:\/\/hotline\.example\.org\/webhooks\/twilio\/status\?key=/,
      );

      const [reply] = await replies();
      assert.equal(reply!.state, 'sent');
      assert.equal(reply!.reason, 'sent');
      assert.equal(reply!.reserved_micros, 0.16 * MICROS);

      const path = sms!.statusCallback!.slice('https://hotline.example.org'.length);
      const status = await post(path, {
        MessageSid: sms!.sid,
        MessageStatus: 'delivered',
        ErrorCode: '',
      });
      assert.equal(status.status, 204);
      const [settled] = await replies();
      assert.equal(settled!.delivery_status, 'delivered');
      assert.equal(settled!.reserved_micros, 0);
      assert.equal(settled!.cost_micros, 160_000, 'without a price, the estimate is committed');
      const periods = await hotline.storage.db.selectFrom('budget_periods').selectAll().execute();
      assert.ok(
        periods.length === 2 &&
          periods.every((p) => p.reserved_micros === 0 && p.committed_micros === 160_000),
      );
      // A later callback carrying the real price corrects the committed spend.
      await post(path, { MessageSid: sms!.sid, MessageStatus: 'delivered', Price: '-0.07600' });
      const corrected = await hotline.storage.db.selectFrom('budget_periods').selectAll().execute();
      assert.ok(corrected.every((p) => p.committed_micros === 76_000));
    });

    it('records a provider retry of the same webhook once', async () => {
      const params = callParams(CALLER);
      assert.equal((await post('/webhooks/twilio/voice', params)).status, 200);
      assert.equal((await post('/webhooks/twilio/voice', params)).status, 200);
      const text = smsParams(CALLER, 'salut');
      assert.equal((await post('/webhooks/twilio/sms', text)).status, 200);
      assert.equal((await post('/webhooks/twilio/sms', text)).status, 200);
      assert.equal(await count('contacts'), 2);
      assert.equal(await count('replies'), 1);
    });

    it('schedules one reply per caller however often they call or text', async () => {
      // A worried man may call twice and text once, minutes apart: he still gets his one SMS.
      for (let i = 0; i < 2; i++) {
        await post('/webhooks/twilio/voice', callParams(CALLER));
        hotline.clock.advance(5 * 60_000);
      }
      await post('/webhooks/twilio/sms', smsParams(CALLER, 'message 0'));
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      assert.equal(await count('contacts'), 3);
      assert.equal(twilioApi.sentTo(CALLER).length, 1);
      const contacts = await hotline.storage.db
        .selectFrom('contacts')
        .select('outcome')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        contacts.map((c) => c.outcome),
        ['reply_scheduled', 'cooldown', 'cooldown'],
      );
      const text = await hotline.storage.db
        .selectFrom('contacts')
        .select('body')
        .where('kind', '=', 'text')
        .orderBy('id')
        .executeTakeFirstOrThrow();
      assert.equal(text.body, 'message 0', 'texts are kept as evidence');
    });

    it('a caller who keeps coming back on a calm line still gets his one SMS', async () => {
      for (let i = 0; i < 4; i++) await post('/webhooks/twilio/voice', callParams(CALLER));
      for (let i = 0; i < 3; i++)
        await post('/webhooks/twilio/sms', smsParams(CALLER, `Réponds connasse ${i}`));
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      assert.equal(twilioApi.sentTo(CALLER).length, 1);
      const reply = await hotline.storage.db
        .selectFrom('replies')
        .select(['reason', 'signals'])
        .executeTakeFirstOrThrow();
      assert.equal(reply.reason, 'sent');
      const signals = JSON.parse(reply.signals!) as {
        repeats: number;
        labels: Record<string, number>;
        regime: string;
      };
      assert.deepEqual(
        [signals.repeats, signals.labels.insult, signals.regime],
        [6, 3, 'calm'],
        'what he did is still recorded with the decision',
      );
    });

    it('under pressure (shield on), the same caller is hostile and gets nothing', async () => {
      await hotline.shield.setMode(
        hotline.defaultLine.id,
        'on',
        'operator:test',
        hotline.clock.now(),
      );
      await hotline.shieldMonitor.tick();
      for (let i = 0; i < 4; i++) await post('/webhooks/twilio/voice', callParams(CALLER));
      for (let i = 0; i < 3; i++)
        await post('/webhooks/twilio/sms', smsParams(CALLER, `Réponds connasse ${i}`));
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      assert.equal(twilioApi.sentTo(CALLER).length, 0);
      const reply = await hotline.storage.db
        .selectFrom('replies')
        .select(['reason', 'detail', 'signals'])
        .executeTakeFirstOrThrow();
      assert.equal(reply.reason, 'hostile');
      assert.match(
        reply.detail!,
        /^hostile during a raid \(shield on\): 3 texts classified insult/,
      );
      assert.match(reply.detail!, /came back 6 times/);
      assert.equal((JSON.parse(reply.signals!) as { repeats: number }).repeats, 6);
    });

    it('refuses unsigned, badly signed and unknown-line webhooks without recording anything', async () => {
      const unsigned = await postSigned(
        base,
        '/webhooks/twilio/voice',
        callParams(CALLER),
        twilioApi.authToken,
        { signature: null },
      );
      assert.equal(unsigned.status, 403);
      const forged = await postSigned(
        base,
        '/webhooks/twilio/voice',
        callParams(CALLER),
        'not-the-token',
      );
      assert.equal(forged.status, 403);
      const wrongUrl = await postSigned(
        base,
        '/webhooks/twilio/voice',
        callParams(CALLER),
        twilioApi.authToken,
        { publicUrl: 'https://evil.example' },
      );
      assert.equal(wrongUrl.status, 403);
      const unknown = await post('/webhooks/twilio/voice', callParams(CALLER, '+33939999999'));
      assert.equal(unknown.status, 404);
      assert.match(
        ((await unknown.json()) as { message: string }).message,
        /No line is configured/,
      );
      assert.equal(await count('contacts'), 0);
      assert.equal(await count('callers'), 0);
    });

    it('never texts landlines, premium numbers, foreign or withheld callers', async () => {
      const callers = [
        '+33140000000',
        '+33899123456',
        '+33939001234',
        '+447700900123',
        '+32470123456',
        'Anonymous',
        '+266696687',
        '',
      ];
      for (const from of callers)
        assert.equal((await post('/webhooks/twilio/voice', callParams(from))).status, 200);
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      assert.equal(twilioApi.messages.length, 0);
      const rows = await replies();
      assert.ok(rows.length >= 6);
      for (const r of rows)
        assert.deepEqual([r.state, r.reason], ['cancelled', 'destination_not_allowed']);
    });

    it('never exceeds the daily cap and sends held replies the next day', async () => {
      await hotline.close();
      await db.drop();
      await boot({ budget: { dailyMicros: 0.32 * MICROS, monthlyMicros: 50 * MICROS } });
      for (let i = 0; i < 3; i++)
        await post('/webhooks/twilio/voice', callParams(`+3361234560${i}`));
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      assert.equal(twilioApi.messages.length, 2);
      const held = (await replies()).filter((r) => r.state === 'scheduled');
      assert.equal(held.length, 1);
      assert.equal(held[0]!.reason, 'budget_exhausted');
      hotline.clock.advance(24 * HOUR);
      await hotline.worker.drain();
      assert.equal(twilioApi.messages.length, 3);
    });

    it('holds replies while a line is paused and sends them on resume', async () => {
      await post('/webhooks/twilio/voice', callParams(CALLER));
      await hotline.lines.setPaused(hotline.defaultLine.id, true, hotline.clock.now(), {
        actor: 'test',
      });
      const paused = await (
        await post('/webhooks/twilio/voice', callParams('+33612345699'))
      ).text();
      assert.match(paused, /momentanément indisponible/);
      hotline.clock.advance(2 * HOUR);
      await hotline.worker.drain();
      assert.equal(twilioApi.messages.length, 0);
      assert.ok((await replies()).every((r) => r.state === 'scheduled'));
      assert.equal((await replies())[0]!.reason, 'paused');
      await hotline.lines.setPaused(hotline.defaultLine.id, false, hotline.clock.now(), {
        actor: 'test',
      });
      await hotline.worker.drain();
      assert.equal(twilioApi.messages.length, 2, 'both held replies go out on resume');
      assert.ok((await replies()).every((r) => r.state === 'sent'));
    });

    it('gives a new reply to a caller whose first one expired unsent', async () => {
      await post('/webhooks/twilio/voice', callParams(CALLER));
      await hotline.lines.setPaused(hotline.defaultLine.id, true, hotline.clock.now(), {
        actor: 'test',
      });
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      hotline.clock.advance(25 * HOUR);
      await hotline.worker.drain();
      assert.deepEqual(
        (await replies()).map((r) => [r.state, r.reason]),
        [['cancelled', 'expired']],
        'expired even though the line is still paused',
      );
      await hotline.lines.setPaused(hotline.defaultLine.id, false, hotline.clock.now(), {
        actor: 'test',
      });
      await post('/webhooks/twilio/voice', callParams(CALLER));
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      assert.equal(twilioApi.sentTo(CALLER).length, 1);
    });

    it('records permanent provider errors without retrying and retries transient ones', async () => {
      twilioApi.failure = (to, attempt) => {
        if (to === '+33612345602')
          return { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' };
        if (to === '+33612345603' && attempt <= 2)
          return { status: 503, code: 20500, message: 'Service unavailable' };
        return null;
      };
      await post('/webhooks/twilio/voice', callParams('+33612345602'));
      await post('/webhooks/twilio/voice', callParams('+33612345603'));
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      for (let i = 0; i < 5; i++) {
        hotline.clock.advance(5 * 60_000);
        await hotline.worker.drain();
      }
      assert.equal(twilioApi.attempts.get('+33612345602'), 1);
      assert.equal(twilioApi.sentTo('+33612345603').length, 1);
      const rows = await replies();
      assert.deepEqual(
        [rows[0]!.state, rows[0]!.reason, rows[0]!.error_code],
        ['failed', 'provider_rejected', '21610'],
      );
      assert.deepEqual([rows[1]!.state, rows[1]!.reason], ['sent', 'sent']);
      const periods = await hotline.storage.db.selectFrom('budget_periods').selectAll().execute();
      assert.ok(
        periods.every((p) => p.reserved_micros === 0.16 * MICROS),
        'only the sent reply keeps a reservation',
      );
    });

    it('answers a call’s progress sent to the status address with 204, recording nothing', async () => {
      await post('/webhooks/twilio/voice', callParams(CALLER));
      const before = await replies();
      const res = await post('/webhooks/twilio/status', {
        ...callParams(CALLER),
        CallStatus: 'completed',
        CallDuration: '12',
      });
      assert.equal(res.status, 204);
      assert.deepEqual(await replies(), before);
    });

    it('never resends a reply the provider acknowledged through a status callback', async () => {
      twilioApi.failure = () => ({ status: 503, code: 20500, message: 'Service unavailable' });
      await post('/webhooks/twilio/voice', callParams(CALLER));
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      const [pending] = await replies();
      assert.deepEqual([pending!.state, pending!.reason], ['scheduled', 'provider_retry']);
      // The 503 was a lie: Twilio accepted the message and now reports it.
      const sid = `SM${'5'.repeat(32)}`;
      await post(`/webhooks/twilio/status?key=${pending!.idempotency_key}`, {
        MessageSid: sid,
        MessageStatus: 'delivered',
      });
      twilioApi.failure = () => null;
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      const [done] = await replies();
      assert.deepEqual([done!.state, done!.provider_sid], ['sent', sid]);
      assert.equal(twilioApi.attempts.get(CALLER), 1, 'no second send');
    });

    it('releases the reservation when the provider surely did nothing, and masks numbers in its errors', async () => {
      twilioApi.failure = (to, attempt) =>
        attempt === 1
          ? { status: 429, code: 20429, message: 'Too Many Requests' }
          : {
              status: 400,
              code: 21211,
              message: `The 'To' number ${to} is not a valid phone number.`,
            };
      await post('/webhooks/twilio/voice', callParams(CALLER));
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      const periods = await hotline.storage.db.selectFrom('budget_periods').selectAll().execute();
      assert.ok(
        periods.every((p) => p.reserved_micros === 0),
        '429: nothing stays reserved',
      );
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      const [failed] = await replies();
      assert.deepEqual(
        [failed!.state, failed!.reason, failed!.error_code],
        ['failed', 'provider_rejected', '21211'],
      );
      assert.match(failed!.detail ?? '', /\+3361\*\*\*\*01/);
      assert.equal((failed!.detail ?? '').includes(CALLER), false);
    });

    it('counts the spend of a send given up as failed that went out after all', async () => {
      twilioApi.failure = () => ({ status: 503, code: 20500, message: 'Service unavailable' });
      await post('/webhooks/twilio/voice', callParams(CALLER));
      hotline.clock.advance(HOUR);
      for (let i = 0; i < 12; i++) {
        await hotline.worker.drain();
        hotline.clock.advance(30 * 60_000);
      }
      const [failed] = await replies();
      assert.deepEqual(
        [failed!.state, failed!.reason, failed!.reserved_micros],
        ['failed', 'provider_error', 0],
      );
      assert.equal(twilioApi.attempts.get(CALLER), 8);
      // Twilio accepted the last attempt after all and reports it delivered, with its price.
      const status = await post(`/webhooks/twilio/status?key=${failed!.idempotency_key}`, {
        MessageSid: `SM${'7'.repeat(32)}`,
        MessageStatus: 'delivered',
        Price: '-0.07600',
      });
      assert.equal(status.status, 204);
      const periods = await hotline.storage.db.selectFrom('budget_periods').selectAll().execute();
      assert.ok(periods.every((p) => p.committed_micros === 76_000 && p.reserved_micros === 0));
    });

    it('refuses to start with another secret than the database was created with', async () => {
      const other = testConfig(db.target, {
        secret: 'another-secret-0123456789-abcdefghijklmnopqrstuv',
      });
      await assert.rejects(startHotline(other), /NONMERCI_SECRET: this is not the secret/);
    });

    it('serves health and Prometheus metrics', async () => {
      await post('/webhooks/twilio/voice', callParams(CALLER));
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(
        metrics,
        /nonmerci_webhooks_total\{provider="twilio",kind="voice",outcome="recorded"\} 1/,
      );
      assert.match(metrics, /nonmerci_replies\{state="scheduled"\} 1/);
      assert.match(metrics, /nonmerci_webhook_duration_seconds_bucket/);
      assert.match(metrics, /nonmerci_spend\{period="day",kind="committed"\} 0/);
      const proxied = await fetch(`${base}/metrics`, {
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      assert.equal(
        proxied.status,
        401,
        'a request forwarded by a local reverse proxy is not local',
      );
    });

    it('sends its security headers on webhooks and pages, the page-only ones on pages only', async () => {
      const webhook = await post('/webhooks/twilio/sms', smsParams(CALLER, 'Allô ?'));
      assert.equal(webhook.status, 200);
      assert.equal(webhook.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(webhook.headers.get('referrer-policy'), 'same-origin');
      assert.equal(webhook.headers.get('content-security-policy'), null);
      assert.equal(webhook.headers.get('x-frame-options'), null);
      // The dashboard is built by `npm install`.
      const page = await fetch(`${base}/`);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src/);
      assert.equal(page.headers.get('x-frame-options'), 'DENY');
    });

    if (dialect.name === 'sqlite') {
      it('keeps caller numbers out of the database file in clear', async () => {
        await post('/webhooks/twilio/voice', callParams(CALLER));
        hotline.clock.advance(HOUR);
        await hotline.worker.drain();
        const path = (db.target as { path: string }).path;
        const bytes = Buffer.concat([readFileSync(path), readFileSync(`${path}-wal`)]);
        for (const needle of [CALLER, CALLER.slice(1), '612345601'])
          assert.equal(bytes.includes(needle), false, `found ${needle}`);
      });
    }
  });
}
