import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { InvalidInputError } from '../src/domain/errors.ts';
import { verifyChain } from '../src/evidence/verify.ts';
import { sealNumber } from '../src/hotline/seal.ts';
import { deriveKey } from '../src/privacy/number-vault.ts';
import { Retention } from '../src/privacy/retention.ts';
import { SubjectRights, type SubjectExport } from '../src/privacy/subject.ts';
import { recentAudit } from '../src/storage/audit-repo.ts';
import { ContactsRepo } from '../src/storage/contacts-repo.ts';
import { EvidenceHoldsRepo } from '../src/storage/evidence-holds-repo.ts';
import { openContent } from '../src/evidence/journal.ts';
import { PrivacyRepo } from '../src/storage/privacy-repo.ts';
import type { PrivacyEraseResult } from '../src/web/api/contract.ts';
import type { ApiDeps } from '../src/web/api/deps.ts';
import { privacyApi } from '../src/web/api/privacy.ts';
import { sessionCookie, sessionGuard } from '../src/web/api/session.ts';
import { errorHandler } from '../src/web/errors.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import {
  LINE,
  TEST_SECRET,
  startHotline,
  testConfig,
  type TestHotline,
} from './support/hotline.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RETENTION = 90 * DAY;

/** Numbers of ARCEP's fiction range: no subscriber holds them. */
const ORDINARY = '+33639980001';
const HOSTILE = '+33639980002';
const BLOCKED = '+33639980003';
const MARKED = '+33639980004';
const HELD = '+33639980005';
const YOUNG = '+33639980006';
const OTHER = '+33639980007';
const THREAT = 'je sais où tu habites, je vais te retrouver';
const INSULT = 'sale connasse';

let sid = 0;

for (const dialect of DIALECTS) {
  describe(`privacy lifecycle [${dialect.name}]`, { skip: dialect.skip }, () => {
    let db: TestDatabase;
    let h: TestHotline;
    let store: PrivacyRepo;
    let retention: Retention;
    let subjects: SubjectRights;
    let holds: EvidenceHoldsRepo;

    beforeEach(async () => {
      db = await createTestDatabase(dialect.name);
      h = await startHotline(testConfig(db.target));
      // Built as main.ts builds them.
      store = new PrivacyRepo(h.storage.db, h.storage.caps);
      retention = new Retention({ store, clock: h.clock, retentionMs: RETENTION, vault: h.vault });
      subjects = new SubjectRights({
        store,
        vault: h.vault,
        clock: h.clock,
        retentionMs: RETENTION,
      });
      holds = new EvidenceHoldsRepo(h.storage.db);
    });
    afterEach(async () => {
      await h?.close().catch(() => {});
      await db?.drop();
    });

    /** A call (body null) or text through the real intake, as a webhook records it. */
    const contact = async (from: string, body: string | null = null) => {
      const { result } = await h.intake.receive('simulator', {
        kind: body === null ? 'call' : 'text',
        from,
        to: LINE,
        providerSid: `SIMP${String(++sid).padStart(10, '0')}`,
        body,
      });
      return result;
    };
    const callerId = async (number: string) =>
      Number(
        (
          await h.storage.db
            .selectFrom('callers')
            .select('id')
            .where('number_index', '=', h.vault.blindIndex(number))
            .executeTakeFirstOrThrow()
        ).id,
      );
    const ids = async (table: 'contacts' | 'replies' | 'callers' | 'sim_messages') =>
      (await h.storage.db.selectFrom(table).select('id').orderBy('id').execute()).map((r) =>
        Number(r.id),
      );
    const contactIdsOf = async (number: string) =>
      (
        await h.storage.db
          .selectFrom('contacts')
          .select('id')
          .where('caller_id', '=', await callerId(number))
          .orderBy('id')
          .execute()
      ).map((r) => Number(r.id));
    const journal = (ref: string) =>
      h.storage.db
        .selectFrom('evidence_log')
        .selectAll()
        .where('ref', '=', ref)
        .executeTakeFirstOrThrow();
    const verdict = async () => {
      await h.journal.seal(h.clock.now());
      return verifyChain(
        h.journal,
        (stored) => openContent(stored, h.vault),
        deriveKey(TEST_SECRET, 'evidence-chain-heads-v1'),
      );
    };
    const simTo = async (number: string) =>
      (
        await h.storage.db
          .selectFrom('sim_messages')
          .select('id')
          .where('to_index', '=', h.vault.blindIndex(number))
          .execute()
      ).length;

    it('erases ordinary contacts after 90 days and keeps evidence until it is released', async () => {
      const t0 = h.clock.now();
      // Callers are remembered as long as the longest cooldown: 100 days here.
      await h.storage.db
        .updateTable('lines')
        .set({ cooldown_ms: 100 * DAY })
        .execute();
      await contact(ORDINARY);
      await contact(ORDINARY, 'bonjour, on m’a donné ce numéro');
      const threat = await contact(HOSTILE, THREAT);
      const blocked = await contact(BLOCKED);
      await h.rules.setListed('blocked', sealNumber(h.vault, BLOCKED), true, 'alice', t0);
      const marked = await contact(MARKED);
      await new ContactsRepo(h.storage.db).setEvidence(marked.contactId, true, 'alice', t0);
      const labels = await h.storage.db
        .selectFrom('contacts')
        .select('labels')
        .where('id', '=', threat.contactId)
        .executeTakeFirstOrThrow();
      assert.match(labels.labels ?? '', /threat/);
      h.clock.advance(2 * HOUR);
      const held = await contact(HELD);
      const holdId = await holds.hold({
        kind: 'flagged',
        from: t0 + 2 * HOUR,
        to: t0 + 3 * HOUR,
        lineId: null,
        note: 'raid',
        actor: 'alice',
        now: h.clock.now(),
      });
      h.clock.advance(HOUR);
      await h.worker.drain();
      h.clock.set(t0 + DAY);
      const young = await contact(YOUNG);
      await h.worker.drain();
      assert.ok((await simTo(ORDINARY)) === 1, 'the ordinary caller got their reply');

      // 90 days and 4 hours after the first contacts: all but the young one are past retention.
      h.clock.set(t0 + RETENTION + 4 * HOUR);
      const ordinaryContacts = await contactIdsOf(ORDINARY);
      assert.equal(ordinaryContacts.length, 2);
      const before = await ids('contacts');
      const beforeReplies = await ids('replies');
      const beforeCallers = await ids('callers');

      const dry = await retention.run({ dryRun: true });
      assert.equal(dry.dryRun, true);
      assert.equal(dry.contacts, 2);
      assert.equal(dry.journalEntries, 2);
      assert.deepEqual(await ids('contacts'), before, 'a dry run erases nothing');
      assert.deepEqual(await ids('replies'), beforeReplies);
      assert.equal(await retention.last(), null, 'a dry run is not recorded');

      const run = await retention.run();
      assert.equal(run.contacts, 2);
      assert.equal(run.journalEntries, 2);
      assert.equal(run.replies, dry.replies);
      assert.equal(run.callers, dry.callers);
      assert.equal(run.messages, dry.messages);
      assert.deepEqual(
        await ids('contacts'),
        before.filter((id) => !ordinaryContacts.includes(id)),
        'exactly the ordinary caller’s contacts are erased',
      );
      for (const kept of [
        threat.contactId,
        blocked.contactId,
        marked.contactId,
        held.contactId,
        young.contactId,
      ])
        assert.ok((await ids('contacts')).includes(kept), `contact ${kept} is kept`);
      // Within the cooldown, the caller and their reply are remembered (no second reply).
      assert.deepEqual(await ids('callers'), beforeCallers);
      assert.deepEqual(await ids('replies'), beforeReplies);
      assert.equal(await simTo(ORDINARY), 0, 'simulator messages older than retention go');

      for (const id of ordinaryContacts) {
        const entry = await journal(`contact:${id}`);
        assert.equal(entry.content, null);
        assert.equal(Number(entry.erased_at), h.clock.now());
        assert.equal(entry.caller_id, null);
      }
      assert.notEqual((await journal(`contact:${threat.contactId}`)).content, null);
      const v = await verdict();
      assert.equal(v.intact, true, JSON.stringify(v));
      if (v.intact) assert.equal(v.erased, 2);

      const audit = (await recentAudit(h.storage.db, 20)).find(
        (e) => e.action === 'retention.erase',
      );
      assert.ok(audit, 'the run is audited');
      assert.equal(audit.actor, 'retention');
      assert.equal(audit.detail?.contacts, 2);
      const last = await retention.last();
      assert.equal(last?.at, h.clock.now());
      assert.equal(last?.contacts, 2);
      const status = await retention.status();
      assert.equal(status.retentionDays, 90);
      assert.deepEqual(status.lastRetention, { at: h.clock.now(), contacts: 2, callers: 0 });
      assert.deepEqual(
        status.keptCallers.map((k) => k.number).sort(),
        ['+3363****02', '+3363****03', '+3363****04'],
        'hostile, blocked and marked callers; the held period alone does not make one hostile',
      );

      // Releasing the hold and the hostile caller lets the next run erase them.
      await holds.release(holdId, 'alice', h.clock.now());
      await holds.releaseCaller(await callerId(HOSTILE), 'alice', h.clock.now(), 'masked');
      h.clock.advance(MINUTE);
      const second = await retention.run();
      assert.equal(second.contacts, 2);
      const left = await ids('contacts');
      assert.ok(!left.includes(held.contactId) && !left.includes(threat.contactId));
      for (const kept of [blocked.contactId, marked.contactId, young.contactId])
        assert.ok(left.includes(kept));

      // Past the cooldown, the ordinary caller and their reply go too; the blocked one stays.
      h.clock.set(t0 + 100 * DAY + 5 * HOUR);
      const third = await retention.run();
      assert.ok(third.callers >= 1 && third.replies >= 1);
      assert.equal(await exists(ORDINARY), false, 'the ordinary caller is forgotten');
      assert.equal(await exists(BLOCKED), true, 'a blocked caller is kept');
      assert.equal(await exists(MARKED), true, 'a caller with a marked contact is kept');
      const final = await verdict();
      assert.equal(final.intact, true, JSON.stringify(final));
    });

    const exists = async (number: string) =>
      (await h.storage.db
        .selectFrom('callers')
        .select('id')
        .where('number_index', '=', h.vault.blindIndex(number))
        .executeTakeFirst()) !== undefined;

    it('judges withheld numbers contact by contact: their abusive texts stay, the rest goes', async () => {
      const abusive = await contact('Anonymous', INSULT);
      const call = await contact('Anonymous');
      const clean = await contact('', 'bonjour');
      h.clock.advance(HOUR);
      await h.worker.drain();
      h.clock.advance(RETENTION);
      const run = await retention.run();
      assert.equal(run.contacts, 2);
      const left = await ids('contacts');
      assert.ok(left.includes(abusive.contactId));
      assert.ok(!left.includes(call.contactId) && !left.includes(clean.contactId));
      assert.deepEqual((await retention.status()).keptCallers, [], 'the shared row is not hostile');
    });

    it('keeps the rows of callers who opted out, and still erases their texts by age', async () => {
      await contact(ORDINARY, 'STOP');
      h.clock.advance(RETENTION + 200 * DAY);
      const run = await retention.run();
      assert.equal(run.contacts, 1);
      assert.equal(await exists(ORDINARY), true);
      assert.equal((await contact(ORDINARY)).outcome, 'opted_out');
    });

    it('exports everything held about one number, and nothing about others', async () => {
      await contact(ORDINARY, 'Bonjour, je voulais m’excuser');
      await contact(ORDINARY);
      await contact(OTHER, 'message de quelqu’un d’autre');
      h.clock.advance(HOUR);
      await h.worker.drain();

      const doc = await subjects.export('06 39 98 00 01', 'alice');
      assert.equal(doc.found, true);
      assert.equal(doc.number, ORDINARY);
      assert.equal(doc.contacts.length, 2);
      assert.equal(doc.contacts[0]!.text, 'Bonjour, je voulais m’excuser');
      assert.equal(doc.contacts[0]!.line, LINE);
      assert.match(doc.contacts[0]!.at, /^2026-11-01T16:00:00.000Z$/);
      assert.equal(
        doc.contacts[0]!.erasedAfter,
        new Date(h.clock.now() - HOUR + RETENTION).toISOString(),
      );
      assert.equal(doc.replies.length, 1);
      assert.equal(doc.replies[0]!.state, 'sent');
      assert.match(doc.replies[0]!.text ?? '', /non/i);
      assert.equal(doc.simulatorMessages.length, 1);
      assert.equal(doc.caller?.contactCount, 2);
      const contactEntries = doc.journal.filter((e) => e.kind === 'text' || e.kind === 'call');
      assert.equal(contactEntries.length, 2);
      assert.equal((contactEntries[0]!.content as { caller: string }).caller, ORDINARY);
      assert.ok(doc.journal.some((e) => e.kind === 'reply'));
      assert.equal(doc.evidence.kept, false);
      assert.equal(doc.retention.period, '90d');
      const text = JSON.stringify(doc);
      assert.ok(!text.includes(OTHER) && !text.includes('quelqu’un d’autre'), 'no other number');

      const unknown = await subjects.export('+33639980099', 'alice');
      assert.equal(unknown.found, false);
      assert.equal(unknown.contacts.length, 0);
      assert.match(unknown.summary, /Nothing is held/);

      await assert.rejects(subjects.export('hello', 'alice'), InvalidInputError);
      await assert.rejects(subjects.export('123', 'alice'), /not a phone number/);
      const audit = await recentAudit(h.storage.db, 10);
      const exported = audit.filter((e) => e.action === 'privacy.export');
      assert.equal(exported.length, 2);
      assert.equal(exported.at(-1)!.target, '+3363****01');
    });

    it('says why a hostile caller’s records are kept', async () => {
      await contact(HOSTILE, INSULT);
      const doc = await subjects.export(HOSTILE, 'alice');
      assert.equal(doc.evidence.kept, true);
      assert.match(doc.evidence.reasons[0]!, /hostile.*insult.*17\(3\)\(e\)/);
      assert.equal(doc.contacts[0]!.keptAsEvidence, true);
      assert.equal(doc.contacts[0]!.erasedAfter, null);
    });

    it('erases one number but what is kept as evidence, and cancels its pending reply', async () => {
      await contact(OTHER, 'un autre');
      const otherBefore = await contactIdsOf(OTHER);
      await contact(ORDINARY, 'bonjour');
      await contact(ORDINARY);
      const hostile = await contact(HOSTILE, INSULT);
      const first = await contact(MARKED);
      await contact(MARKED, 'rappel');
      await new ContactsRepo(h.storage.db).setEvidence(
        first.contactId,
        true,
        'alice',
        h.clock.now(),
      );
      h.clock.advance(10 * MINUTE);

      const erased = await subjects.erase('06 39 98 00 01', 'alice');
      assert.equal(erased.found, true);
      assert.equal(erased.number, '+3363****01');
      assert.deepEqual(erased.erased, { contacts: 2, replies: 1, messages: 0, journalEntries: 2 });
      assert.deepEqual(erased.kept, { contacts: 0, journalEntries: 0 });
      assert.deepEqual(erased.keptBecause, []);
      assert.equal(erased.callerRow, 'erased');
      assert.equal(await exists(ORDINARY), false);
      assert.deepEqual(await contactIdsOf(OTHER), otherBefore, 'other numbers are untouched');

      const kept = await subjects.erase(HOSTILE, 'alice');
      assert.equal(kept.erased.contacts, 0);
      assert.equal(kept.kept.contacts, 1);
      assert.ok(kept.kept.journalEntries >= 1);
      assert.match(kept.keptBecause.join('\n'), /hostile/);
      assert.match(kept.keptBecause.join('\n'), /GDPR article 17\(3\)\(e\)/);
      assert.match(
        kept.keptBecause.join('\n'),
        new RegExp(`Reply #${hostile.replyId} was cancelled`),
      );
      assert.deepEqual(await contactIdsOf(HOSTILE), [hostile.contactId]);

      // A marked contact makes its caller hostile; released, only the marked contact stays.
      const whole = await subjects.erase(MARKED, 'alice');
      assert.equal(whole.erased.contacts, 0);
      assert.equal(whole.kept.contacts, 2);
      await holds.releaseCaller(await callerId(MARKED), 'alice', h.clock.now(), 'masked');
      const marked = await subjects.erase(MARKED, 'alice');
      assert.equal(marked.erased.contacts, 1);
      assert.equal(marked.kept.contacts, 1);
      assert.match(marked.keptBecause.join('\n'), /marked as evidence by alice.*17\(3\)\(e\)/);

      // Neither pending reply goes out, ever.
      h.clock.advance(3 * HOUR);
      await h.worker.drain();
      assert.equal(await simTo(ORDINARY), 0);
      assert.equal(await simTo(HOSTILE), 0);
      assert.ok((await simTo(OTHER)) === 1, 'the other caller still gets their reply');

      const v = await verdict();
      assert.equal(v.intact, true, JSON.stringify(v));
      const audit = (await recentAudit(h.storage.db, 30)).filter(
        (e) => e.action === 'privacy.erase',
      );
      assert.equal(audit.length, 4);
      assert.ok(audit.some((e) => e.target === '+3363****01' && e.detail?.contacts === 2));

      const again = await subjects.erase(ORDINARY, 'alice');
      assert.equal(again.found, false);
      assert.deepEqual(again.erased, { contacts: 0, replies: 0, messages: 0, journalEntries: 0 });
      const markedAgain = await subjects.erase(MARKED, 'alice');
      assert.deepEqual(markedAgain.erased, {
        contacts: 0,
        replies: 0,
        messages: 0,
        journalEntries: 0,
      });
      assert.equal(markedAgain.kept.contacts, 1);
    });

    it('erases the texts of a caller who opted out but keeps the STOP', async () => {
      await contact(ORDINARY, 'bonjour');
      await contact(ORDINARY, 'STOP');
      const result = await subjects.erase(ORDINARY, 'alice');
      assert.equal(result.erased.contacts, 2);
      assert.equal(result.callerRow, 'kept');
      assert.match(result.keptBecause.join('\n'), /STOP request/);
      const row = await h.storage.db
        .selectFrom('callers')
        .selectAll()
        .where('number_index', '=', h.vault.blindIndex(ORDINARY))
        .executeTakeFirstOrThrow();
      assert.equal(row.contact_count, 0);
      assert.equal(Number(row.last_seen_at), Number(row.opted_out_at));
      assert.equal(row.prefix_index, null);
      assert.equal((await contact(ORDINARY)).outcome, 'opted_out', 'the STOP is still honoured');
    });

    it('exports and erases the texts still waiting in the intake log, as during a flood', async () => {
      await contact(ORDINARY, 'bonjour');
      // The processor runs seconds behind the webhooks in a flood; here it records nothing by
      // itself any more. The hotline's own service (as main.ts wires it) is used.
      h.processor.leaveToOthers();
      const pending = async (body: string) => {
        const accepted = await h.intake.accept('simulator', {
          kind: 'text',
          from: ORDINARY,
          to: LINE,
          providerSid: `SIMP${String(++sid).padStart(10, '0')}`,
          body,
        });
        assert.notEqual(accepted.logId, null);
      };
      await pending('tu es là ?');
      const doc = await h.subjects.export(ORDINARY, 'alice');
      assert.deepEqual(
        doc.contacts.map((c) => c.text),
        ['bonjour', 'tu es là ?'],
      );
      await pending('efface-moi ça');
      const erased = await h.subjects.erase(ORDINARY, 'alice');
      assert.equal(erased.erased.contacts, 3);
      await h.processor.drain();
      assert.deepEqual(await ids('contacts'), [], 'nothing recorded after the erasure');
    });

    it('answers the admin API: a JSON download, the erase result, 400 on a bad number', async () => {
      await contact(ORDINARY, 'bonjour');
      const password = 'correct horse battery staple';
      await h.accounts.ensureAdmin(password);
      const { token, session } = await h.accounts.login('admin', password);
      const handlers = privacyApi({ subjects } as unknown as ApiDeps);
      const app = Fastify();
      await app.register(cookie);
      app.setErrorHandler(errorHandler);
      const spec = sessionCookie(h.config.publicUrl);
      const guard = sessionGuard(h.accounts, 'admin', spec);
      app.post('/api/privacy/export', { preHandler: guard }, handlers.export);
      app.post('/api/privacy/erase', { preHandler: guard }, handlers.erase);
      const post = (url: string, payload: unknown) =>
        app.inject({
          method: 'POST',
          url,
          payload: JSON.stringify(payload),
          headers: {
            'content-type': 'application/json',
            cookie: `${spec.name}=${token}`,
            'x-csrf-token': session.csrfToken,
          },
        });
      const exported = await post('/api/privacy/export', { number: '06 39 98 00 01' });
      assert.equal(exported.statusCode, 200, exported.body);
      assert.match(
        exported.headers['content-disposition'] as string,
        /^attachment; filename="nonmerci-privacy-3363xxxx01-2026-11-01\.json"$/,
      );
      assert.equal(exported.json<SubjectExport>().contacts[0]!.text, 'bonjour');
      const bad = await post('/api/privacy/erase', { number: 'not a number' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json<{ field: string }>().field, 'number');
      const erased = await post('/api/privacy/erase', { number: ORDINARY });
      assert.equal(erased.statusCode, 200);
      assert.deepEqual(erased.json<PrivacyEraseResult>(), {
        number: '+3363****01',
        found: true,
        erased: { contacts: 1, replies: 1, messages: 0, journalEntries: 1 },
        kept: { contacts: 0, journalEntries: 0 },
        keptBecause: [],
      });
      await app.close();
    });
  });
}
