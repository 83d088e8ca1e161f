import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type {
  CallerHistory,
  Chart,
  LineState,
  Overview,
  RaidView,
  RuleRow,
} from '../../src/web/api/contract.ts';
import { smsCost } from '../../src/policy/cost.ts';
import { DIALECTS } from '../support/databases.ts';
import {
  addModerator,
  api,
  ok,
  setUp,
  simulateContact,
  startDashboard,
  type Api,
  type Dashboard,
  type SignedIn,
} from '../support/dashboard.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A pretend raid: `count` numbers of one range of 100 and a few loud ones elsewhere. */
const RANGE = '+3361234';
const rangeNumber = (i: number) => `${RANGE}${String(5600 + i)}`;
const LOUD = '+33698765432';
const CALM = '+33755123456';

for (const dialect of DIALECTS) {
  describe(`raid view [${dialect.name}]`, { skip: dialect.skip }, () => {
    let d: Dashboard;
    let a: Api;
    let admin: SignedIn;
    beforeEach(async () => {
      d = await startDashboard(dialect.name);
      admin = await setUp(d.app);
      a = api(d.app, admin);
    });
    afterEach(() => d?.close());

    const lineId = () => d.hotline.defaultLine.id;
    const simulate = (from: string, kind: 'call' | 'text', body?: string) =>
      simulateContact(a, lineId(), from, kind, body);
    const raid = async (query = '') =>
      ok<RaidView>(await a.get(`/api/raid?line=${lineId()}${query}`));
    /** What the database holds, counted without the raid view's queries. */
    const counted = async (from: number) => {
      const rows = await d.hotline.storage.db
        .selectFrom('contacts')
        .select(['caller_id', 'body'])
        .where('line_id', '=', lineId())
        .where('received_at', '>=', from)
        .execute();
      return { contacts: rows.length, callers: new Set(rows.map((r) => r.caller_id)).size };
    };

    it('ranks numbers and ranges by their contacts in the window, a range needing two numbers', async () => {
      // Before the window: the loudest number of all, which the window must not count.
      for (let i = 0; i < 6; i++) await simulate('+33611112299', 'text', 'avant');
      d.hotline.clock.advance(10 * MINUTE);
      const since = ok<LineState>(await a.post(`/api/lines/${lineId()}/shield`, { mode: 'on' }))
        .shield.since!;
      // Range +33 6 11 11 22: two numbers, 3 contacts each. Range +33 6 22 22 34: three, one each.
      for (const n of ['+33611112201', '+33611112202'])
        for (let i = 0; i < 3; i++) await simulate(n, i ? 'call' : 'text', 'réponds');
      for (const n of ['+33622223401', '+33622223402', '+33622223403']) await simulate(n, 'call');
      // Alone in its range: first of the senders, in no range.
      for (let i = 0; i < 5; i++) await simulate('+33698765432', 'text', `encore ${i}`);

      const view = await raid();
      assert.equal(view.window.from, since);
      assert.deepEqual(
        view.topSenders.map((s) => [s.caller, s.contacts]),
        [
          ['+3369****32', 5],
          ['+3361****01', 3],
          ['+3361****02', 3],
          ['+3362****01', 1],
          ['+3362****02', 1],
          ['+3362****03', 1],
        ],
      );
      assert.deepEqual(
        view.topRanges.map((r) => [r.prefix, r.contacts, r.callers]),
        [
          ['+336111122', 6, 2],
          ['+336222234', 3, 3],
        ],
      );
    });

    it('counts the shield period: contacts, numbers, top senders and ranges, common texts, money avoided', async () => {
      // A calm hour before: one man, one text, answered.
      await simulate(CALM, 'text', 'Allô ?');
      d.hotline.clock.advance(HOUR + MINUTE);
      await d.hotline.worker.drain();
      d.hotline.clock.advance(10 * MINUTE);
      const state = ok<LineState>(await a.post(`/api/lines/${lineId()}/shield`, { mode: 'on' }));
      assert.equal(state.shield.active, true);
      const since = state.shield.since!;
      for (let i = 0; i < 12; i++) {
        await simulate(rangeNumber(i), 'text', 'réponds connasse');
        if (i % 4 === 0) d.hotline.clock.advance(MINUTE);
      }
      for (let i = 0; i < 7; i++) await simulate(LOUD, i % 2 ? 'call' : 'text', `spam ${i % 3}`);
      await simulate(CALM, 'call');

      const view = await raid();
      const db = await counted(since);
      assert.deepEqual([view.contacts, view.callers], [db.contacts, db.callers]);
      assert.deepEqual([view.contacts, view.callers], [20, 14]);
      assert.equal(view.period?.from, since);
      assert.equal(view.period?.to, null);
      assert.deepEqual(view.window, { from: since, to: view.now });
      assert.equal(view.line.shield.active, true);

      const top = view.topSenders[0]!;
      assert.deepEqual([top.contacts, top.caller], [7, '+3369****32']);
      assert.match(top.nickname ?? '', /^[A-Z][a-z]+-\d{2}$/);
      assert.equal(view.topRanges.length, 1, 'one range with several numbers');
      assert.deepEqual(view.topRanges[0], {
        prefix: '+336123456',
        shown: '+33 6 12 34 56 ··',
        contacts: 12,
        callers: 12,
        blocked: false,
      });
      assert.deepEqual(view.commonTexts[0], { text: 'réponds connasse', count: 12 });

      // Money: what one reply per contact would cost, less what this line spent in the window.
      const reply = smsCost(
        d.hotline.defaultLine.replyText,
        (await d.hotline.tariff.current()).segmentPriceMicros,
      );
      assert.equal(view.money.replyMicros, reply.costMicros);
      assert.equal(view.money.naiveMicros, 20 * reply.costMicros);
      assert.equal(view.money.avoidedMicros, view.money.naiveMicros - view.money.spentMicros);
      const totals = view.replies.sent + view.replies.waiting + view.replies.failed;
      const held = Object.values(view.replies.held).reduce((s, n) => s + n, 0);
      const cancelled = Object.values(view.replies.cancelled).reduce((s, n) => s + n, 0);
      const without = Object.values(view.withoutReply).reduce((s, n) => s + n, 0);
      assert.equal(totals + held + cancelled + without, 20, JSON.stringify(view.replies));
      // One reply per number, counted once however often he came back; the rest already had one
      // (the calm man too: his reply was sent before the raid).
      assert.equal(totals + held + cancelled, view.callers - 1, JSON.stringify(view.replies));
      assert.equal(view.withoutReply.cooldown, 20 - (view.callers - 1));

      // Once the delay has passed, each number is answered once at most, and every reply counted
      // as sent in the window is one the database says it paid for.
      d.hotline.clock.advance(HOUR + MINUTE);
      await d.hotline.worker.drain();
      const later = await raid();
      const paid = await d.hotline.storage.db
        .selectFrom('replies')
        .select(['cost_micros', 'reserved_micros', 'caller_id'])
        .where('state', '=', 'sent')
        .where('sent_at', '>=', since)
        .execute();
      assert.equal(
        later.money.spentMicros,
        paid.reduce((s, r) => s + Number(r.cost_micros), 0),
      );
      assert.equal(new Set(paid.map((r) => r.caller_id)).size, paid.length, 'one reply per number');
      const cancelledLater = Object.values(later.replies.cancelled).reduce((s, n) => s + n, 0);
      assert.ok(cancelledLater >= 6, JSON.stringify(later.replies));
      assert.equal(later.money.avoidedMicros, later.money.naiveMicros - later.money.spentMicros);

      // Per minute: the chart covers the window, and its contacts add up to the window's.
      const inWindow = view.minutes.times
        .map((t, i) => (t >= Math.floor(since / MINUTE) * MINUTE ? view.minutes.contacts[i]! : 0))
        .reduce((s, n) => s + n, 0);
      assert.equal(inWindow, 20);
      assert.ok(view.perMinute.now > 0);
      assert.ok(view.perMinute.usual < 1);
    });

    it("blocks a caller's range from his line: the range shows as blocked, a neighbour is refused", async () => {
      ok(await a.post(`/api/lines/${lineId()}/shield`, { mode: 'on' }));
      await simulate(rangeNumber(1), 'text', 'salope');
      await simulate(rangeNumber(2), 'text', 'salope');
      const view = await raid();
      const caller = view.topSenders.find((s) => s.caller.endsWith('01'))!;
      const moderator = api(d.app, (await addModerator(d.app, admin)).session);
      const rule = ok<RuleRow>(
        await moderator.post(`/api/callers/${caller.callerId}/block-range`, {}),
      );
      assert.deepEqual(
        [rule.kind, rule.value, rule.note],
        ['block_prefix', '+336123456', caller.nickname],
      );
      const again = ok<RuleRow>(await a.post(`/api/callers/${caller.callerId}/block-range`, {}));
      assert.equal(again.id, rule.id, 'blocking twice keeps one rule');
      assert.equal((await raid()).topRanges[0]?.blocked, true);
      const neighbour = await simulate(rangeNumber(40), 'call');
      assert.deepEqual(neighbour.voice, { kind: 'reject' });
      const history = ok<CallerHistory>(await a.get(`/api/callers/${caller.callerId}`));
      assert.equal(history.nickname, caller.nickname);
    });

    it('counts the calls and texts answered but not yet recorded, in the overview, its chart and the raid view', async () => {
      await simulate(CALM, 'text', 'Allô ?');
      await simulate(LOUD, 'call');
      // A flood: the processor is behind, the webhooks' events wait in the intake log.
      d.hotline.processor.leaveToOthers();
      const line = d.hotline.defaultLine;
      const accept = (from: string, kind: 'call' | 'text', sid: string) =>
        d.hotline.intake.accept(line.provider, {
          kind,
          from,
          to: line.number,
          providerSid: sid,
          body: kind === 'text' ? 'réponds' : null,
        });
      await accept(rangeNumber(1), 'text', 'SMflood1');
      await accept(rangeNumber(2), 'call', 'CAflood2');
      await accept(LOUD, 'text', 'SMflood3');

      const figures = async () => {
        const overview = ok<Overview>(await a.get('/api/overview'));
        const chart = ok<Chart>(await a.get('/api/overview/chart?range=3h'));
        const view = await raid();
        return {
          today: overview.today,
          chart: chart.contacts.reduce((sum, n) => sum + n, 0),
          raid: [view.contacts, view.callers, view.recording, view.perMinute.now],
          minutes: view.minutes.contacts.reduce((sum, n) => sum + n, 0),
        };
      };
      assert.deepEqual(await figures(), {
        today: { contacts: 5, calls: 2, texts: 3, repliesSent: 0, recording: 3 },
        chart: 5,
        // Four numbers: the loud one wrote again before the processor gave him his caller row.
        raid: [5, 4, 3, 5],
        minutes: 5,
      });
      assert.equal((await counted(0)).contacts, 2, 'three are still in the intake log');

      await d.hotline.processor.drain();
      assert.deepEqual(await figures(), {
        today: { contacts: 5, calls: 2, texts: 3, repliesSent: 0, recording: 0 },
        chart: 5,
        raid: [5, 4, 0, 5],
        minutes: 5,
      });
    });

    it('falls back to the last hour on a calm line, and refuses an unknown line or a future start', async () => {
      await simulate(CALM, 'text', 'Allô ?');
      const view = await raid();
      assert.equal(view.period, null);
      assert.equal(view.window.to - view.window.from, HOUR);
      assert.deepEqual([view.contacts, view.callers, view.topRanges.length], [1, 1, 0]);
      assert.equal((await a.get('/api/raid?line=999')).statusCode, 404);
      const future = await a.get(`/api/raid?line=${lineId()}&from=${view.now + HOUR}`);
      assert.equal(future.statusCode, 400, future.body);
    });
  });
}
