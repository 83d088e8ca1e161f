import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { MICROS } from '../../src/domain/types.ts';
import { ContactsRepo } from '../../src/storage/contacts-repo.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { LINE, startHotline, testConfig, type TestHotline } from '../support/hotline.ts';
import {
  DRIVERS,
  kitRequest,
  loadCases,
  type KitCase,
  type ProviderDriver,
  type Signing,
} from './drivers.ts';

/**
 * The provider test kit: every provider goes through the same cases, from its own sample payloads
 * (test/providers/<name>/) and against a fake of its API on loopback, over real HTTP into the
 * assembled hotline. What differs between providers is in drivers.ts; what must hold is here.
 */

const HOUR = 3_600_000;
const REPLY_PRICE = 0.16 * MICROS;

for (const makeDriver of DRIVERS) {
  const driver: ProviderDriver = makeDriver();
  const cases = loadCases(driver.name);
  const sample = (name: string): KitCase => {
    const c = cases.get(name);
    if (!c) throw new Error(`test/providers/${driver.name}/${name}.json is missing`);
    return c;
  };
  const named = (prefix: string) => [...cases.entries()].filter(([n]) => n.startsWith(prefix));

  for (const dialect of DIALECTS) {
    describe(`provider kit: ${driver.name} [${dialect.name}]`, { skip: dialect.skip }, () => {
      let db: TestDatabase;
      let hotline: TestHotline;
      let base: string;
      let n = 0;

      before(() => driver.start());
      after(() => driver.stop());
      beforeEach(async () => {
        driver.reset();
        db = await createTestDatabase(dialect.name);
        hotline = await startHotline(testConfig(db.target, driver.settings()));
        base = await hotline.app().listen({ port: 0, host: '127.0.0.1' });
      });
      afterEach(async () => {
        await hotline?.close().catch(() => {});
        await db?.drop();
      });

      /** A new French mobile caller, and the placeholders of a sample about him. */
      const newCaller = () => `+3361234${String(5000 + ++n).padStart(4, '0')}`;
      const varsFor = (caller: string, extra: Record<string, string> = {}) => ({
        caller,
        line: LINE,
        caller_digits: caller.slice(1),
        line_digits: LINE.slice(1),
        sid: driver.newSid(),
        event: randomUUID(),
        ...extra,
      });

      /** Sends a sample as the provider would (signed as asked), then lets the processor record it. */
      async function deliver(
        c: KitCase,
        vars: Record<string, string>,
        how: Signing = 'good',
        path?: string,
      ): Promise<Response> {
        const request = kitRequest(driver.name, c, vars, path);
        const res = await fetch(base + request.path, {
          method: request.method,
          headers: { ...request.headers, ...driver.sign(request, how) },
          ...(request.body === undefined ? {} : { body: request.body }),
        });
        await hotline.processor.drain();
        return res;
      }
      const contacts = () =>
        hotline.storage.db.selectFrom('contacts').selectAll().orderBy('id').execute();
      const replies = () =>
        hotline.storage.db.selectFrom('replies').selectAll().orderBy('id').execute();
      /** Waits out the line's delay (and `extra`), then lets the workers run. */
      const later = async (ms = HOUR) => {
        hotline.clock.advance(ms);
        await hotline.worker.drain();
      };
      /** A caller's text, answered one hour later: the reply as the fake API received it. */
      async function repliedCaller() {
        const caller = newCaller();
        await deliver(sample('inbound-text'), varsFor(caller));
        await later();
        const sent = driver.sent().filter((m) => m.to === caller);
        assert.equal(sent.length, 1, 'one reply reached the provider');
        const [reply] = await replies();
        return { caller, message: sent[0]!, reply: reply! };
      }

      for (const [name, c] of named('inbound-call')) {
        it(`${name}: the call is answered in ${driver.name}'s format with the line's message, and recorded`, async () => {
          const caller = newCaller();
          const res = await deliver(c, varsFor(caller));
          assert.equal(res.status, 200);
          const spoken = driver.spoken(res.headers.get('content-type') ?? '', await res.text());
          assert.ok(spoken, 'the answer speaks');
          assert.equal(spoken.slice(0, 30), hotline.defaultLine.voiceText.slice(0, 30));
          const [contact] = await contacts();
          assert.equal(contact?.kind, 'call');
          assert.equal((await replies()).length, 1, 'a reply is planned for him');
          await later();
          assert.deepEqual(
            driver.sent().map((m) => [m.to, m.from]),
            [[caller, LINE]],
            'the reply goes to the caller, from the line',
          );
        });
      }

      for (const [name, c] of named('inbound-text')) {
        it(`${name}: the text is recorded exactly as written`, async () => {
          const res = await deliver(c, varsFor(newCaller()));
          assert.equal(res.status, 200);
          const [contact] = await contacts();
          assert.equal(contact?.kind, 'text');
          assert.equal(contact?.body, c.expect!.body);
        });
      }

      for (const [name, c] of [...cases.entries()].filter(([, c]) => c.expect?.ignored)) {
        it(`${name}: acknowledged, nothing recorded`, async () => {
          const res = await deliver(c, varsFor(newCaller()));
          assert.equal(res.status, 204);
          assert.equal((await contacts()).length, 0);
        });
      }

      const refusals: Signing[] = driver.signatureHasAge
        ? ['bad', 'missing', 'stale']
        : ['bad', 'missing'];
      for (const how of refusals) {
        it(`a webhook whose signature is ${how} is refused and nothing is recorded`, async () => {
          for (const [, c] of named('inbound-')) {
            const res = await deliver(c, varsFor(newCaller()), how);
            assert.ok([401, 403].includes(res.status), `${how}: ${res.status}`);
          }
          assert.equal((await contacts()).length, 0);
          assert.equal((await replies()).length, 0);
        });
      }

      it('a webhook the provider retries is recorded once', async () => {
        const vars = varsFor(newCaller());
        for (let i = 0; i < 3; i++)
          assert.equal((await deliver(sample('inbound-text'), vars)).status, 200);
        assert.equal((await contacts()).length, 1);
        assert.equal((await replies()).length, 1);
      });

      it('the reply is sent once, with the line number and text, and reports come back to us', async () => {
        const { message, reply } = await repliedCaller();
        assert.equal(message.from, LINE);
        assert.equal(message.text, hotline.defaultLine.replyText);
        assert.equal(reply.state, 'sent');
        assert.equal(reply.provider_sid, message.id);
        const endpoint = hotline.providers.get(driver.name)!.statusEndpoint;
        assert.equal(
          message.reportPath,
          `/webhooks/${driver.name}/${endpoint}?key=${reply.idempotency_key}`,
        );
        await later(2 * HOUR);
        assert.equal(driver.sent().length, 1, 'never sent twice');
      });

      it('a refusal for good fails the reply without retrying', async () => {
        const refused = sample('send-invalid-number');
        driver.script(() => ({ reply: refused.reply, recorded: false }));
        await deliver(sample('inbound-text'), varsFor(newCaller()));
        await later();
        await later(6 * HOUR);
        const [reply] = await replies();
        assert.equal(reply!.state, 'failed');
        assert.equal(reply!.reason, 'provider_rejected');
        assert.equal(reply!.error_code, refused.expect!.errorCode);
        assert.equal(driver.attempts(), 1);
        assert.equal(reply!.reserved_micros, 0, 'the reservation is released');
      });

      it('a rate limit is retried, and the reply goes out once', async () => {
        driver.script((attempt) =>
          attempt === 1 ? { reply: sample('send-rate-limited').reply, recorded: false } : null,
        );
        await deliver(sample('inbound-text'), varsFor(newCaller()));
        await later();
        assert.equal((await replies())[0]!.state, 'scheduled');
        await later(60_000);
        assert.equal((await replies())[0]!.state, 'sent');
        assert.equal(driver.attempts(), 2);
        assert.equal(driver.sent().length, 1);
      });

      it('a server error that sent nothing is retried once it is safe, and the reply goes out once', async () => {
        driver.script((attempt) =>
          attempt === 1 ? { reply: sample('send-server-error').reply, recorded: false } : null,
        );
        await deliver(sample('inbound-text'), varsFor(newCaller()));
        await later();
        for (let i = 0; i < 4; i++) await later(10 * 60_000);
        assert.equal((await replies())[0]!.state, 'sent');
        assert.equal(driver.sent().length, 1);
      });

      it('a server error after the message went out is not resent once its delivery report names it', async () => {
        driver.script((attempt) =>
          attempt === 1 ? { reply: sample('send-server-error').reply, recorded: true } : null,
        );
        const caller = newCaller();
        await deliver(sample('inbound-text'), varsFor(caller));
        await later();
        const [message] = driver.sent();
        const [pending] = await replies();
        assert.equal(pending!.state, 'scheduled', 'the outcome is unknown: nothing is decided yet');
        const report = await deliver(
          sample('delivery-sent'),
          varsFor(caller, { message: message!.id, key: pending!.idempotency_key }),
          'good',
          message!.reportPath,
        );
        assert.equal(report.status, 204);
        for (let i = 0; i < 4; i++) await later(10 * 60_000);
        const [reply] = await replies();
        assert.equal(reply!.state, 'sent');
        assert.equal(reply!.provider_sid, message!.id);
        assert.equal(driver.sent().length, 1, 'never sent twice');
      });

      it(`a server error after the message went out, with no report: ${driver.canLookUpSends ? 'found by a lookup, never resent' : 'resent once after the wait, never more'}`, async () => {
        driver.script((attempt) =>
          attempt === 1 ? { reply: sample('send-server-error').reply, recorded: true } : null,
        );
        const caller = newCaller();
        await deliver(sample('inbound-text'), varsFor(caller));
        await later();
        for (let i = 0; i < 8; i++) await later(10 * 60_000);
        const [reply] = await replies();
        assert.equal(reply!.state, 'sent');
        const sent = driver.sent();
        assert.equal(sent.length, driver.canLookUpSends ? 1 : 2);
        // Every message's final report comes in, the earlier one last: each one's cost counts.
        const c = sample('delivery-delivered');
        for (const message of sent.toReversed()) {
          const vars = varsFor(caller, { message: message.id, key: reply!.idempotency_key });
          assert.equal((await deliver(c, vars, 'good', message.reportPath)).status, 204);
        }
        const price = Math.round(Number(c.expect!.price) * MICROS);
        const [settled] = await replies();
        assert.equal(settled!.provider_sid, sent.at(-1)!.id, 'the reply keeps its own message');
        assert.equal(settled!.cost_micros, price * sent.length);
        const periods = await hotline.storage.db.selectFrom('budget_periods').selectAll().execute();
        assert.ok(
          periods.every(
            (p) => p.committed_micros === price * sent.length && p.reserved_micros === 0,
          ),
          JSON.stringify(periods),
        );
      });

      it('an interim report records the status and keeps the reservation', async () => {
        const { caller, message, reply } = await repliedCaller();
        const vars = varsFor(caller, { message: message.id, key: reply.idempotency_key });
        const res = await deliver(sample('delivery-sent'), vars, 'good', message.reportPath);
        assert.equal(res.status, 204);
        const [after] = await replies();
        assert.equal(after!.delivery_status, 'sent');
        assert.equal(after!.reserved_micros, REPLY_PRICE);
      });

      it('the price of a delivered reply replaces the reserved estimate', async () => {
        const { caller, message, reply } = await repliedCaller();
        const c = sample('delivery-delivered');
        const vars = varsFor(caller, { message: message.id, key: reply.idempotency_key });
        assert.equal((await deliver(c, vars, 'good', message.reportPath)).status, 204);
        const [after] = await replies();
        const price = Math.round(Number(c.expect!.price) * MICROS);
        assert.equal(after!.delivery_status, 'delivered');
        assert.equal(after!.cost_micros, price);
        assert.equal(after!.reserved_micros, 0);
        const periods = await hotline.storage.db.selectFrom('budget_periods').selectAll().execute();
        assert.ok(periods.every((p) => p.committed_micros === price && p.reserved_micros === 0));
      });

      it('a price in another currency is kept as reported, and the estimate is counted', async () => {
        const { caller, message, reply } = await repliedCaller();
        const c = sample('delivery-delivered-foreign');
        const vars = varsFor(caller, { message: message.id, key: reply.idempotency_key });
        assert.equal((await deliver(c, vars, 'good', message.reportPath)).status, 204);
        const [after] = await replies();
        assert.equal(after!.cost_micros, REPLY_PRICE);
        assert.equal(after!.reported_price, `${c.expect!.price} ${c.expect!.currency}`);
        // As the caller's page shows it, beside the amount counted.
        const [shown] = await new ContactsRepo(hotline.storage.db).repliesOf(after!.caller_id);
        assert.deepEqual(
          [shown!.costMicros, shown!.reportedPrice],
          [REPLY_PRICE, after!.reported_price],
        );
      });

      it('a reply that never left costs nothing', async () => {
        const { caller, message, reply } = await repliedCaller();
        const c = sample('delivery-failed');
        const vars = varsFor(caller, { message: message.id, key: reply.idempotency_key });
        assert.equal((await deliver(c, vars, 'good', message.reportPath)).status, 204);
        const [after] = await replies();
        assert.equal(after!.delivery_status, 'failed');
        assert.equal(after!.error_code, c.expect!.errorCode);
        assert.equal(after!.cost_micros, 0);
        assert.equal(after!.reserved_micros, 0);
      });
    });
  }
}
