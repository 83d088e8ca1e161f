import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { AlertEvent } from '../src/alerts/events.ts';
import { RAID_THREAT_WINDOW_MS } from '../src/alerts/events.ts';
import { THREAT_MARKED_BY } from '../src/domain/types.ts';
import { lexiconClassifier } from '../src/policy/text/classifier.ts';
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

/**
 * A text labelled threat, end to end through signed Twilio webhooks: operators get one alert per
 * threatening caller on a calm line (one per quarter hour during a raid), the contact is marked as
 * evidence by nonmerci, no caller number reaches the alert, and the threat alone never costs the
 * caller his reply on a calm line; under the shield it does.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const THREAT = 'je vais te retrouver et te tuer';
const ANOTHER_THREAT = 'tu vas mourir';
const CALLER = '+33612345601';
// Callers from distinct number ranges, so no range looks hammered.
const THREATENERS = ['+33623456702', '+33634567803', '+33645678904', '+33656789005'];
const ORDINARY = '+33667890106';

/** The ways a French mobile number may be written. */
function spellings(e164: string): string[] {
  const national = e164.slice(3);
  return [e164, e164.slice(1), `0${national}`, national];
}

for (const dialect of DIALECTS) {
  describe(
    `threats through signed Twilio webhooks [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      const twilioApi = new FakeTwilio();
      let db: TestDatabase;
      let hotline: TestHotline;
      let base: string;
      /** Every threat alert raised, awaited before counting rows (the intake does not wait). */
      let raised: Promise<boolean>[];

      before(() => twilioApi.start());
      after(() => twilioApi.stop());

      beforeEach(async () => {
        twilioApi.messages.length = 0;
        db = await createTestDatabase(dialect.name);
        hotline = await startHotline(testConfig(db.target, { twilio: twilioApi.settings }));
        base = await hotline.app().listen({ port: 0, host: '127.0.0.1' });
        raised = [];
        const raise = hotline.alerts.raise.bind(hotline.alerts);
        hotline.alerts.raise = (event: AlertEvent) => {
          const stored = raise(event);
          if (event.kind === 'threat') raised.push(stored);
          return stored;
        };
      });
      afterEach(async () => {
        await hotline?.close().catch(() => {});
        await db?.drop();
      });

      const text = async (from: string, body: string, params = smsParams(from, body)) => {
        const res = await postSigned(base, '/webhooks/twilio/sms', params, twilioApi.authToken);
        assert.equal(res.status, 200);
        await res.text();
        // Answered once in the intake log; recorded (and alerted) right after.
        await hotline.processor.drain();
      };
      const call = async (from: string) => {
        const res = await postSigned(
          base,
          '/webhooks/twilio/voice',
          callParams(from),
          twilioApi.authToken,
        );
        assert.equal(res.status, 200);
        await res.text();
        await hotline.processor.drain();
      };
      /** Waits for the threat alerts raised so far; true for each one stored, false for a duplicate. */
      const settled = () => Promise.all(raised);
      const threatAlerts = () =>
        hotline.storage.db
          .selectFrom('alerts')
          .selectAll()
          .where('kind', '=', 'threat')
          .orderBy('id')
          .execute();
      const contactsOf = async (from: string) => {
        const index = hotline.vault.blindIndex(from);
        return hotline.storage.db
          .selectFrom('contacts')
          .innerJoin('callers', 'callers.id', 'contacts.caller_id')
          .select([
            'contacts.id',
            'contacts.caller_id',
            'contacts.labels',
            'contacts.received_at',
            'contacts.evidence_at',
            'contacts.evidence_by',
          ])
          .where('callers.number_index', '=', index)
          .orderBy('contacts.id')
          .execute();
      };
      const replyOf = async (from: string) =>
        hotline.storage.db
          .selectFrom('replies')
          .innerJoin('callers', 'callers.id', 'replies.caller_id')
          .select(['replies.state', 'replies.reason'])
          .where('callers.number_index', '=', hotline.vault.blindIndex(from))
          .executeTakeFirstOrThrow();

      it('uses texts the classifier labels as intended', () => {
        assert.deepEqual(lexiconClassifier.classify(THREAT).labels, ['threat']);
        assert.deepEqual(lexiconClassifier.classify(ANOTHER_THREAT).labels, ['threat']);
        assert.deepEqual(lexiconClassifier.classify('Salut, on s’est vus hier').labels, []);
      });

      it('on a calm line: one alert per threatening caller, evidence marked, and the caller still gets his SMS', async () => {
        const t0 = hotline.clock.now();
        await text(CALLER, THREAT);
        assert.deepEqual(await settled(), [true]);

        const [alert, ...more] = await threatAlerts();
        assert.equal(more.length, 0);
        const [first] = await contactsOf(CALLER);
        const payload = JSON.parse(alert!.payload) as Record<string, unknown>;
        assert.deepEqual(payload, {
          kind: 'threat',
          line: LINE,
          at: t0,
          contactId: first!.id,
          callerId: first!.caller_id,
          raid: false,
        });
        assert.equal(alert!.dedupe_key, `threat:${LINE}:caller:${first!.caller_id}`);
        const row = JSON.stringify(alert);
        for (const spelling of spellings(CALLER))
          assert.ok(!row.includes(spelling), `the alert holds the caller's number as ${spelling}`);

        assert.deepEqual(
          [first!.labels, first!.evidence_at, first!.evidence_by],
          ['threat', t0, THREAT_MARKED_BY],
        );

        // He threatens again: marked too, but no second alert.
        hotline.clock.advance(5 * MINUTE);
        await text(CALLER, ANOTHER_THREAT);
        assert.deepEqual(await settled(), [true, false]);
        assert.equal((await threatAlerts()).length, 1);
        const contacts = await contactsOf(CALLER);
        assert.deepEqual(
          contacts.map((c) => [c.labels, c.evidence_at, c.evidence_by]),
          [
            ['threat', t0, THREAT_MARKED_BY],
            ['threat', t0 + 5 * MINUTE, THREAT_MARKED_BY],
          ],
        );

        // A clean text and a call from someone else: no mark, no alert.
        await text(ORDINARY, 'Salut, on s’est vus hier');
        await call(ORDINARY);
        assert.equal(raised.length, 2);
        assert.deepEqual(
          (await contactsOf(ORDINARY)).map((c) => [c.labels, c.evidence_at, c.evidence_by]),
          [
            [null, null, null],
            [null, null, null],
          ],
        );

        // The reply falls due an hour after the first text: the threat alone does not withhold it.
        hotline.clock.set(t0 + HOUR);
        await hotline.worker.drain();
        assert.equal(twilioApi.sentTo(CALLER).length, 1);
        assert.deepEqual(await replyOf(CALLER), { state: 'sent', reason: 'sent' });
        hotline.clock.advance(HOUR);
        await hotline.worker.drain();
        assert.equal(twilioApi.sentTo(CALLER).length, 1, 'one SMS, however often he threatened');
        assert.equal(twilioApi.sentTo(ORDINARY).length, 1);
      });

      it('on a calm line: a second threatening caller gets his own alert', async () => {
        await text(THREATENERS[0]!, THREAT);
        hotline.clock.advance(MINUTE);
        await text(THREATENERS[1]!, THREAT);
        assert.deepEqual(await settled(), [true, true]);
        const alerts = await threatAlerts();
        const callers = alerts.map((a) => (JSON.parse(a.payload) as { callerId: number }).callerId);
        assert.deepEqual(callers, [
          (await contactsOf(THREATENERS[0]!))[0]!.caller_id,
          (await contactsOf(THREATENERS[1]!))[0]!.caller_id,
        ]);
      });

      it('does not alert again when Twilio delivers the same webhook twice', async () => {
        const params = smsParams(CALLER, THREAT);
        await text(CALLER, THREAT, params);
        await text(CALLER, THREAT, params);
        await settled();
        assert.equal(raised.length, 1, 'the retried webhook is a duplicate: no second raise');
        assert.equal((await threatAlerts()).length, 1);
        assert.equal((await contactsOf(CALLER)).length, 1);
      });

      it('an alert that could not be stored when the threat arrived is raised by the next look of the monitor', async () => {
        const raise = hotline.alerts.raise.bind(hotline.alerts);
        let failures = 1;
        hotline.alerts.raise = (event: AlertEvent) => {
          if (event.kind === 'threat' && failures-- > 0)
            return Promise.reject(new Error('the database is busy'));
          return raise(event);
        };
        await text(CALLER, THREAT);
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal((await threatAlerts()).length, 0, 'the first raise failed');
        hotline.clock.advance(MINUTE);
        await hotline.shieldMonitor.tick();
        const [alert, ...more] = await threatAlerts();
        assert.equal(more.length, 0);
        const [contact] = await contactsOf(CALLER);
        assert.equal(alert!.dedupe_key, `threat:${LINE}:caller:${contact!.caller_id}`);
        await hotline.shieldMonitor.tick();
        assert.equal(
          (await threatAlerts()).length,
          1,
          'raised once, however often the monitor looks',
        );
      });

      it('during a raid: one alert per quarter hour for all threats, and the threateners get no SMS', async () => {
        const t0 = hotline.clock.now();
        // The test's clock starts on a quarter hour: the minutes below fall in one alert window.
        assert.equal(t0 % RAID_THREAT_WINDOW_MS, 0);
        await hotline.shield.setMode(hotline.defaultLine.id, 'on', 'operator:test', t0);
        await hotline.shieldMonitor.tick();
        assert.equal((await hotline.lines.findById(hotline.defaultLine.id))!.shield.active, true);

        const minutes = [1, 6, 14];
        for (const [i, m] of minutes.entries()) {
          hotline.clock.set(t0 + m * MINUTE);
          await text(THREATENERS[i]!, THREAT);
        }
        hotline.clock.set(t0 + 2 * MINUTE);
        await call(ORDINARY);
        assert.deepEqual(await settled(), [true, false, false]);
        const alerts = await threatAlerts();
        assert.equal(alerts.length, 1);
        const [firstThreat] = await contactsOf(THREATENERS[0]!);
        assert.deepEqual(JSON.parse(alerts[0]!.payload), {
          kind: 'threat',
          line: LINE,
          at: t0 + MINUTE,
          contactId: firstThreat!.id,
          callerId: firstThreat!.caller_id,
          raid: true,
        });
        assert.equal(
          alerts[0]!.dedupe_key,
          `threat:${LINE}:raid:${Math.floor((t0 + MINUTE) / RAID_THREAT_WINDOW_MS)}`,
        );
        const row = JSON.stringify(alerts[0]);
        for (const number of THREATENERS)
          for (const spelling of spellings(number)) assert.ok(!row.includes(spelling), spelling);
        // Every threat is marked as evidence, alerted or not.
        for (const [i, m] of minutes.entries()) {
          const [c] = await contactsOf(THREATENERS[i]!);
          assert.deepEqual([c!.evidence_at, c!.evidence_by], [t0 + m * MINUTE, THREAT_MARKED_BY]);
        }

        // The next quarter hour of the raid gets its own alert.
        hotline.clock.set(t0 + 16 * MINUTE);
        await text(THREATENERS[3]!, THREAT);
        assert.deepEqual(await settled(), [true, false, false, true]);
        assert.equal((await threatAlerts()).length, 2);

        // The replies fall due under the shield: the threateners' are withheld, the ordinary
        // caller's goes.
        hotline.clock.set(t0 + HOUR + 20 * MINUTE);
        await hotline.worker.drain();
        for (const number of THREATENERS) {
          assert.deepEqual(
            await replyOf(number),
            { state: 'cancelled', reason: 'hostile' },
            number,
          );
          assert.equal(twilioApi.sentTo(number).length, 0, number);
        }
        assert.deepEqual(await replyOf(ORDINARY), { state: 'sent', reason: 'sent' });
        assert.equal(twilioApi.sentTo(ORDINARY).length, 1);
      });
    },
  );
}
