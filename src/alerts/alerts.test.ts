import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { ManualClock } from '../domain/clock.ts';
import { AlertsRepo } from '../storage/alerts-repo.ts';
import { openStorage, type Storage } from '../storage/db.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { Alerts, alertBackoff, type AlertsOptions } from './alerts.ts';
import type { AlertEvent } from './events.ts';
import type { AlertMessage, AlertSink } from './sinks.ts';
import { WebhookReceiver, capturingLogger } from '../../test/support/alerts.ts';
import { WebhookSink } from './webhook.ts';

const SEC = 1000;
const CALLER = '+33612345678';
const SECRET = '/hooks/XXsecretXX';

const shieldOn = (at: number): AlertEvent => ({
  kind: 'shield_on',
  line: '+33939000000',
  at,
  trigger: 'auto',
  detail: '300 texts in 5 minutes',
});

/** A sink in memory: records what it took, fails while `failing` says so. */
class MemorySink implements AlertSink {
  readonly name: string;
  readonly received: AlertMessage[] = [];
  calls = 0;
  failing: (call: number) => boolean = () => false;
  constructor(name: string) {
    this.name = name;
  }
  deliver(alert: AlertMessage): Promise<void> {
    this.calls++;
    if (this.failing(this.calls)) return Promise.reject(new Error(`${this.name} is down`));
    this.received.push(alert);
    return Promise.resolve();
  }
}

/** Polls a condition that another task makes true (no wall-clock assertion: only a bound). */
async function waitUntil(condition: () => Promise<boolean>, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('condition never became true');
}

describe('alertBackoff', () => {
  it('waits 30 s, 1 min, 2 min… and never more than an hour', () => {
    assert.deepEqual([1, 2, 3, 4].map(alertBackoff), [30 * SEC, 60 * SEC, 120 * SEC, 240 * SEC]);
    assert.equal(alertBackoff(30), 3600 * SEC);
  });
});

for (const dialect of DIALECTS) {
  describe(`Alerts end to end [${dialect.name}]`, { skip: dialect.skip }, () => {
    const flakyChat = new WebhookReceiver();
    const goodChat = new WebhookReceiver();
    let db: TestDatabase;
    let storage: Storage;
    let clock: ManualClock;

    before(async () => {
      await flakyChat.start();
      await goodChat.start();
    });
    after(async () => {
      await flakyChat.stop();
      await goodChat.stop();
    });
    beforeEach(async () => {
      flakyChat.requests.length = 0;
      goodChat.requests.length = 0;
      db = await createTestDatabase(dialect.name);
      storage = openStorage(db.target);
      await migrateToLatest(storage);
      clock = new ManualClock();
    });
    afterEach(async () => {
      await storage?.close();
      await db?.drop();
    });

    function alerts(sinks: AlertSink[], over: Partial<AlertsOptions> = {}) {
      const { log, lines } = capturingLogger();
      const instance = new Alerts({
        store: new AlertsRepo(storage.db, storage.caps),
        sinks,
        clock,
        log,
        language: 'fr',
        timeZone: 'Europe/Paris',
        ...over,
      });
      return { alerts: instance, lines };
    }

    it('retries a failing webhook after the backoff without sending twice to the good one', async () => {
      flakyChat.respond = (n) => (n <= 2 ? { status: 500, body: 'oops' } : { status: 204 });
      goodChat.respond = () => ({ status: 200, body: 'ok' });
      const flaky = new WebhookSink(flakyChat.url(SECRET), { name: 'flaky' });
      const good = new WebhookSink(goodChat.url(SECRET), { name: 'good' });
      const { alerts: a, lines } = alerts([flaky, good]);

      assert.equal(await a.raise(shieldOn(clock.now())), true);
      assert.equal(await a.deliverPending(), 0, 'not settled: the flaky sink failed');
      assert.equal(flakyChat.requests.length, 1);
      assert.equal(goodChat.requests.length, 1, 'one failing sink does not stop the other');

      clock.advance(30 * SEC - 1);
      assert.equal(await a.deliverPending(), 0);
      assert.equal(flakyChat.requests.length, 1, 'not before the 30 s backoff');

      clock.advance(1);
      assert.equal(await a.deliverPending(), 0);
      assert.equal(flakyChat.requests.length, 2, 'second attempt after 30 s');

      clock.advance(60 * SEC - 1);
      assert.equal(await a.deliverPending(), 0);
      assert.equal(flakyChat.requests.length, 2, 'not before the 1 min backoff');

      clock.advance(1);
      assert.equal(await a.deliverPending(), 1, 'settled on the third attempt');
      assert.equal(flakyChat.requests.length, 3);
      assert.equal(goodChat.requests.length, 1, 'the good sink received exactly once');

      clock.advance(3600 * SEC);
      assert.equal(await a.deliverPending(), 0, 'nothing left');
      assert.deepEqual(
        [flakyChat.requests.length, goodChat.requests.length],
        [3, 1],
        'no request after settling',
      );

      const body = JSON.parse(flakyChat.requests[2]?.body ?? '') as { text: string };
      assert.match(body.text, /Bouclier anti-raid activé/, 'in the configured language');
      const [stored] = await a.recent(1);
      assert.equal(stored?.status, 'delivered');
      assert.equal(stored?.attempts, 3);
      assert.deepEqual([...(stored?.deliveredTo ?? [])].sort(), ['flaky', 'good']);
      assert.equal(stored?.lastError, null);

      const retries = lines.filter((l) => l.msg.includes('will retry'));
      assert.equal(retries.length, 2);
      assert.match(
        String(retries[0]?.error),
        /flaky: Alert webhook at 127\.0\.0\.1:\d+ answered HTTP 500/,
      );
      assert.ok(!JSON.stringify(lines).includes('XXsecretXX'), 'the webhook path is never logged');
    });

    it('stores and logs a raised alert once, with caller numbers masked', async () => {
      const { alerts: a, lines } = alerts([]);
      const event: AlertEvent = {
        kind: 'provider_error',
        provider: 'twilio',
        at: clock.now(),
        detail: `21211 Invalid 'To' Phone Number: ${CALLER}`,
      };
      assert.equal(await a.raise(event), true);
      assert.equal(await a.raise({ ...event, at: event.at + 60 * SEC }), false, 'same window');
      const warns = lines.filter((l) => l.level === 40);
      assert.equal(warns.length, 1);
      assert.match(warns[0]?.msg ?? '', /twilio/);
      const [stored] = await a.recent(5);
      assert.equal(stored?.kind, 'provider_error');
      assert.ok(!stored?.payload.includes(CALLER), 'the stored payload is masked');
      assert.ok(!JSON.stringify(lines).includes(CALLER), 'the log is masked');
    });

    it('with no sink configured, settles alerts as delivered to nobody', async () => {
      const { alerts: a } = alerts([]);
      await a.raise(shieldOn(clock.now()));
      assert.equal(await a.deliverPending(), 1);
      const [stored] = await a.recent(1);
      assert.equal(stored?.status, 'delivered');
      assert.deepEqual(stored?.deliveredTo, []);
      assert.equal(await a.deliverPending(), 0);
    });

    it('gives up after maxAttempts with an error in the log, keeping what was delivered', async () => {
      const down = new MemorySink('down');
      down.failing = () => true;
      const up = new MemorySink('up');
      const { alerts: a, lines } = alerts([up, down], { maxAttempts: 3 });
      await a.raise(shieldOn(clock.now()));
      for (let i = 0; i < 10; i++) {
        await a.deliverPending();
        clock.advance(10 * 60 * SEC);
      }
      assert.equal(down.calls, 3);
      assert.equal(up.received.length, 1);
      const [stored] = await a.recent(1);
      assert.equal(stored?.status, 'failed');
      assert.deepEqual(stored?.deliveredTo, ['up']);
      assert.match(stored?.lastError ?? '', /down: down is down/);
      const errors = lines.filter((l) => l.level === 50);
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.msg ?? '', /after 3 attempts; giving up/);
    });

    it('delivers each alert once when two processes deliver at the same time', async () => {
      const sink = new MemorySink('chat');
      const other = openStorage(db.target);
      try {
        const first = alerts([sink]).alerts;
        const second = new Alerts({
          store: new AlertsRepo(other.db, other.caps),
          sinks: [sink],
          clock,
          log: capturingLogger().log,
          language: 'en',
          timeZone: 'Europe/Paris',
        });
        for (let i = 0; i < 6; i++) await first.raise(shieldOn(clock.now() + i));
        const [x, y] = await Promise.all([first.deliverPending(), second.deliverPending()]);
        assert.equal(x + y, 6);
        assert.equal(sink.received.length, 6);
        const starts = sink.received.map((m) => m.event.at);
        assert.equal(new Set(starts).size, 6, 'no alert sent twice');
      } finally {
        await other.close();
      }
    });

    it('after a process dies mid-delivery, the next one skips the sinks that took the alert', async () => {
      const chat = new MemorySink('chat');
      const stuck: AlertSink = { name: 'email', deliver: () => new Promise<void>(() => {}) };
      const dying = alerts([chat, stuck], { leaseMs: 60 * SEC }).alerts;
      await dying.raise(shieldOn(clock.now()));
      void dying.deliverPending(); // Hangs on the e-mail sink forever, as if the process died there.
      // Wait until the chat took it and that was recorded; the e-mail sink then hangs.
      await waitUntil(
        async () => (await dying.recent(1))[0]?.deliveredTo.includes('chat') === true,
      );
      assert.equal(chat.received.length, 1);

      const email = new MemorySink('email');
      const next = alerts([chat, email], { leaseMs: 60 * SEC }).alerts;
      assert.equal(await next.deliverPending(), 0, 'still leased to the dead process');
      clock.advance(60 * SEC);
      assert.equal(await next.deliverPending(), 1);
      assert.equal(chat.received.length, 1, 'the chat already had it');
      assert.equal(email.received.length, 1);
    });

    it('drops an alert whose payload it cannot read instead of retrying it forever', async () => {
      const sink = new MemorySink('chat');
      const store = new AlertsRepo(storage.db, storage.caps);
      await store.enqueue({ key: 'weird', kind: 'meteor', payload: '{"kind":"meteor"}', now: 0 });
      const { alerts: a, lines } = alerts([sink]);
      assert.equal(await a.deliverPending(), 0);
      assert.equal(sink.calls, 0);
      const [stored] = await a.recent(1);
      assert.equal(stored?.status, 'failed');
      assert.equal(lines.filter((l) => l.level === 50).length, 1);
    });
  });
}

describe('Alerts', () => {
  it('refuses two sinks with one name (their deliveries would be confused)', () => {
    assert.throws(
      () =>
        new Alerts({
          store: {} as AlertsOptions['store'],
          sinks: [new MemorySink('a'), new MemorySink('a')],
          clock: new ManualClock(),
          log: capturingLogger().log,
          language: 'en',
          timeZone: 'UTC',
        }),
      /share a name/,
    );
  });
});
