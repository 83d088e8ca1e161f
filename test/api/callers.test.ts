import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type {
  BulkResult,
  CallerLine,
  CallerListPage,
  ContactPage,
} from '../../src/web/api/contract.ts';
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
const ANNA = { typed: '06 12 34 56 78', e164: '+33612345678' };
const BRUNO = { typed: '06 98 76 54 31', e164: '+33698765431' };
const CLARA = { typed: '07 55 12 34 90', e164: '+33755123490' };
const SORRY =
  "Bonjour, je voulais m'excuser pour hier soir, vraiment, je ne savais pas que ce n'était pas son numéro";

for (const dialect of DIALECTS) {
  describe(`callers list [${dialect.name}]`, { skip: dialect.skip }, () => {
    let d: Dashboard;
    let admin: SignedIn;
    let a: Api;
    beforeEach(async () => {
      d = await startDashboard(dialect.name);
      admin = await setUp(d.app);
      a = api(d.app, admin);
      // Anna calls, then texts twice; Bruno insults; Clara apologises; newest last.
      await simulate(ANNA, 'call');
      d.hotline.clock.advance(MINUTE);
      await simulate(ANNA, 'text', 'Allô ?');
      d.hotline.clock.advance(MINUTE);
      await simulate(BRUNO, 'text', 'réponds connasse');
      d.hotline.clock.advance(MINUTE);
      await simulate(ANNA, 'text', 'Tu réponds ?');
      d.hotline.clock.advance(MINUTE);
      await simulate(CLARA, 'text', SORRY);
    });
    afterEach(() => d?.close());

    const lineId = () => d.hotline.defaultLine.id;
    const simulate = (from: { typed: string }, kind: 'call' | 'text', body?: string) =>
      simulateContact(a, lineId(), from.typed, kind, body);
    const list = async (query = '') => ok<CallerListPage>(await a.get(`/api/callers${query}`));
    const nicknames = (page: CallerListPage) => page.callers.map((c) => c.nickname);
    const byEnd = (page: CallerListPage, end: string) =>
      page.callers.find((c) => c.caller.endsWith(end)) as CallerLine;

    it('groups contacts by caller, newest first, one line each with what was decided', async () => {
      const page = await list();
      assert.deepEqual(
        page.callers.map((c) => [c.caller, c.contacts, c.calls, c.texts]),
        [
          ['+3375****90', 1, 0, 1],
          ['+3361****78', 3, 1, 2],
          ['+3369****31', 1, 0, 1],
        ],
      );
      const [clara, anna, bruno] = page.callers as [CallerLine, CallerLine, CallerLine];
      assert.equal(anna.firstWords, 'Tu réponds ?', 'his newest text');
      assert.ok(
        clara.firstWords!.endsWith('…') && clara.firstWords!.length <= 61,
        clara.firstWords!,
      );
      assert.deepEqual([bruno.firstWords, bruno.hidden, bruno.labels], [null, true, ['insult']]);
      assert.equal(anna.reply?.state, 'scheduled');
      for (const c of page.callers) assert.match(c.nickname ?? '', /^[A-Z][a-z]+-\d{2}$/);
      assert.equal(page.next, null);
      assert.ok(!JSON.stringify(page).includes('612345678'), 'no full number');
    });

    it('finds a caller by his last digits, his full number, his nickname or the words he wrote', async () => {
      const all = await list();
      const anna = byEnd(all, '78');
      assert.deepEqual(nicknames(await list('?q=78')), [anna.nickname]);
      assert.deepEqual(nicknames(await list('?q=5678')), [anna.nickname]);
      assert.deepEqual(nicknames(await list(`?q=${encodeURIComponent(ANNA.typed)}`)), [
        anna.nickname,
      ]);
      assert.deepEqual(nicknames(await list(`?q=${encodeURIComponent(anna.nickname!)}`)), [
        anna.nickname,
      ]);
      const word = anna.nickname!.split('-')[0]!.toLowerCase();
      assert.ok(nicknames(await list(`?q=${word}`)).includes(anna.nickname));
      assert.deepEqual(nicknames(await list('?q=EXCUSER')), [byEnd(all, '90').nickname]);
      assert.deepEqual(nicknames(await list('?q=connasse')), [byEnd(all, '31').nickname]);
      assert.deepEqual((await list('?q=100%25')).callers, [], 'a % matches itself');
      assert.deepEqual((await list('?q=99')).callers, []);
    });

    it('searches the contacts list the same way: digits, nickname, words', async () => {
      const contacts = async (q: string) =>
        ok<ContactPage>(await a.get(`/api/contacts?q=${encodeURIComponent(q)}`)).contacts.map(
          (c) => c.caller,
        );
      const anna = byEnd(await list(), '78');
      assert.deepEqual(await contacts('5678'), ['+3361****78', '+3361****78', '+3361****78']);
      assert.deepEqual(await contacts(ANNA.typed), ['+3361****78', '+3361****78', '+3361****78']);
      assert.deepEqual(await contacts(anna.nickname!), [
        '+3361****78',
        '+3361****78',
        '+3361****78',
      ]);
      // Words find the texts that hold them, whoever sent them, in any case.
      assert.deepEqual(await contacts('RÉPONDS'), ['+3361****78', '+3369****31']);
      assert.deepEqual(await contacts('connasse'), ['+3369****31']);
      assert.deepEqual(await contacts('100%'), [], 'a % matches itself');
      assert.deepEqual(await contacts('99'), []);
      // Combined with the other filters.
      const calls = ok<ContactPage>(
        await a.get(`/api/contacts?q=5678&label=clean&replied=no`),
      ).contacts;
      assert.ok(calls.length > 0 && calls.every((c) => c.caller === '+3361****78'));
      const tooLong = await a.get(`/api/contacts?q=${'a'.repeat(81)}`);
      assert.equal(tooLong.statusCode, 400);
    });

    it('finds words written in capitals with accents, and in capitals words typed in lower case', async () => {
      await simulate({ typed: '06 44 55 66 77' }, 'text', 'ÉCOUTE-MOI BIEN, ÇA VA MAL FINIR');
      const contacts = async (q: string) =>
        ok<ContactPage>(await a.get(`/api/contacts?q=${encodeURIComponent(q)}`)).contacts.map(
          (c) => c.caller,
        );
      assert.deepEqual(await contacts('écoute-moi'), ['+3364****77']);
      assert.deepEqual(await contacts('ça va'), ['+3364****77']);
      assert.deepEqual(await contacts('Écoute'), ['+3364****77']);
      assert.deepEqual(
        (await list(`?q=${encodeURIComponent('ça va mal')}`)).callers.map((c) => c.caller),
        ['+3364****77'],
      );
    });

    it('filters by decision, by blocklist and by period, and pages with "after"', async () => {
      d.hotline.clock.advance(HOUR);
      await d.hotline.worker.drain();
      const sent = await list('?decision=sent');
      assert.equal(sent.callers.length, 3, JSON.stringify(sent.callers.map((c) => c.reply)));
      assert.deepEqual((await list('?decision=waiting')).callers, []);
      const first = await list('?limit=2');
      assert.equal(first.callers.length, 2);
      assert.ok(first.next);
      const second = await list(`?limit=2&after=${first.next}`);
      assert.deepEqual(
        [...first.callers, ...second.callers].map((c) => c.callerId),
        (await list()).callers.map((c) => c.callerId),
      );
      assert.equal(second.next, null);
      const t = d.hotline.clock.now();
      assert.deepEqual((await list(`?from=${t}`)).callers, []);
      assert.equal((await a.get('/api/callers?decision=maybe')).statusCode, 400);
      assert.equal((await a.get('/api/callers?after=yesterday')).statusCode, 400);
      assert.equal((await a.get('/api/callers?blocked=perhaps')).statusCode, 400);
    });

    it('blocks, allows and marks several callers as evidence at once, as a moderator', async () => {
      const all = await list();
      const moderator = api(d.app, (await addModerator(d.app, admin)).session);
      const two = [byEnd(all, '78').callerId, byEnd(all, '31').callerId];
      const blocked = ok<BulkResult>(
        await moderator.post('/api/callers/bulk', { ids: two, action: 'block' }),
      );
      assert.deepEqual(blocked, { done: 2, skipped: [] });
      assert.deepEqual(
        (await list('?blocked=yes')).callers.map((c) => c.callerId).sort(),
        [...two].sort(),
      );
      const call = await simulate(ANNA, 'call');
      assert.deepEqual(call.voice, { kind: 'reject' });
      ok(await moderator.post('/api/callers/bulk', { ids: two, action: 'unblock' }));
      assert.deepEqual((await list('?blocked=yes')).callers, []);

      ok(await moderator.post('/api/callers/bulk', { ids: two, action: 'evidence' }));
      const marked = ok<ContactPage>(await a.get('/api/contacts?evidence=yes')).contacts;
      assert.equal(marked.length, 5, 'every contact of both callers (Anna called a fourth time)');
      assert.equal(byEnd(await list(), '78').evidence, 4);
      ok(await moderator.post('/api/callers/bulk', { ids: two, action: 'unevidence' }));
      assert.equal(ok<ContactPage>(await a.get('/api/contacts?evidence=yes')).contacts.length, 0);

      const allowed = ok<BulkResult>(
        await moderator.post('/api/callers/bulk', {
          ids: [byEnd(all, '90').callerId],
          action: 'allow',
        }),
      );
      assert.equal(allowed.done, 1);
      assert.equal(byEnd(await list(), '90').allowed, true);

      for (const bad of [
        { ids: [], action: 'block' },
        { ids: ['1'], action: 'block' },
        { ids: two, action: 'delete' },
        { action: 'block' },
      ])
        assert.equal(
          (await moderator.post('/api/callers/bulk', bad)).statusCode,
          400,
          JSON.stringify(bad),
        );
      assert.equal((await moderator.post('/api/callers/forget', { ids: two })).statusCode, 403);
    });

    it("forgets ordinary callers at an admin's request, and keeps a hostile one as evidence", async () => {
      const all = await list();
      const clara = byEnd(all, '90');
      const bruno = byEnd(all, '31');
      const result = ok<BulkResult>(
        await a.post('/api/callers/forget', { ids: [clara.callerId, bruno.callerId] }),
      );
      assert.deepEqual(result, { done: 1, skipped: [{ callerId: bruno.callerId, why: 'kept' }] });
      const left = await list();
      assert.equal(
        left.callers.some((c) => c.callerId === clara.callerId),
        false,
      );
      assert.equal(
        left.callers.some((c) => c.callerId === bruno.callerId),
        true,
      );
    });
  });
}
