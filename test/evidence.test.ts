import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { entryHash, sha256Hex } from '../src/evidence/chain.ts';
import { runEvidence } from '../src/cli/evidence.ts';
import type { Hotline } from '../src/main.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { LINE, startHotline, testConfig, type TestHotline } from './support/hotline.ts';

const MINUTE = 60_000;
let sidCounter = 0;

/** A small raid through the real intake and worker: calls, texts, an insult, a threat, a pause. */
async function recordSomeHistory(h: TestHotline): Promise<void> {
  const contact = (from: string, body: string | null) =>
    h.intake.receive('simulator', {
      kind: body === null ? 'call' : 'text',
      from,
      to: LINE,
      providerSid: `SIM${String(++sidCounter).padStart(10, '0')}`,
      body,
    });
  await contact('+33639980001', null);
  await contact('+33639980002', 'Bonjour, on m’a donné ce numéro');
  h.clock.advance(MINUTE);
  await contact('+33639980003', 'sale connasse');
  await contact('+33639980003', 'je sais où tu habites, je vais te retrouver');
  await contact('+33639980001', null);
  h.clock.advance(2 * MINUTE);
  await h.lines.setPaused(h.defaultLine.id, true, h.clock.now(), { actor: 'alice' });
  await h.lines.setPaused(h.defaultLine.id, false, h.clock.now(), { actor: 'alice' });
  h.clock.advance(2 * 3_600_000);
  await h.worker.drain();
}

async function verdict(h: Hotline) {
  return h.evidence.verify();
}

for (const dialect of DIALECTS) {
  describe(`evidence chain [${dialect.name}]`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let h: TestHotline;
    let total = 0;

    before(async () => {
      database = await createTestDatabase(dialect.name);
      h = await startHotline(testConfig(database.target));
      await recordSomeHistory(h);
      // A head of the current tail, as an export stores one.
      await h.journal.seal(h.clock.now(), { forceHead: true });
    });
    after(async () => {
      await h.close();
      await database.drop();
    });

    const rows = () => h.storage.db.selectFrom('evidence_log').selectAll().orderBy('seq').execute();

    it('records every call, text, reply decision and operator action, and verifies intact', async () => {
      const all = await rows();
      const kinds = all.map((r) => r.kind);
      assert.equal(kinds.filter((k) => k === 'call').length, 2);
      assert.equal(kinds.filter((k) => k === 'text').length, 3);
      assert.equal(kinds.filter((k) => k === 'operator').length, 2, 'pause and resume');
      assert.ok(kinds.filter((k) => k === 'reply').length >= 2, 'reply decisions');
      assert.deepEqual(
        all.map((r) => Number(r.seq)),
        all.map((_, i) => i + 1),
      );
      const v = await verdict(h);
      assert.equal(v.intact, true);
      if (!v.intact) return;
      total = v.count;
      assert.equal(v.count, all.length);
      assert.equal(v.head, all.at(-1)!.entry_hash);
      assert.ok(v.headsChecked >= 1);
    });

    it('keeps numbers and texts encrypted in the journal, and links entries as documented', async () => {
      const all = await rows();
      const texts = all.filter((r) => r.kind === 'text');
      for (const r of texts) {
        assert.ok(!r.content!.includes('connasse') && !r.content!.includes('+33639980003'));
        assert.equal(sha256Hex(h.vault.decrypt(r.content!)), r.content_hash);
      }
      const operator = all.find((r) => r.kind === 'operator')!;
      assert.ok(operator.content!.startsWith('{"action":"line.pause"'));
      let previous = '0'.repeat(64);
      for (const r of all) {
        assert.equal(r.prev_hash, previous);
        assert.equal(r.entry_hash, entryHash(Number(r.seq), previous, r.content_hash));
        previous = r.entry_hash!;
      }
    });

    it('catches a modified entry, names it, and is intact again once it is restored', async () => {
      const all = await rows();
      const target = all.find(
        (r) => r.kind === 'text' && h.vault.decrypt(r.content!).includes('retrouver'),
      )!;
      const original = target.content!;
      const altered = h.vault.encrypt(
        h.vault.decrypt(original).replace('je vais te retrouver', 'bonne soirée'),
      );
      await h.storage.db
        .updateTable('evidence_log')
        .set({ content: altered })
        .where('id', '=', target.id)
        .execute();
      const v = await verdict(h);
      assert.equal(v.intact, false);
      if (v.intact) return;
      assert.equal(v.problem, 'content_altered');
      assert.equal(v.seq, Number(target.seq));
      assert.equal(v.entryId, Number(target.id));
      assert.match(v.message, new RegExp(`entry #${target.seq} \\(text at`));
      await h.storage.db
        .updateTable('evidence_log')
        .set({ content: original })
        .where('id', '=', target.id)
        .execute();
      assert.equal((await verdict(h)).intact, true);
    });

    it('catches a plain (operator) entry edited in place', async () => {
      const op = (await rows()).find((r) => r.kind === 'operator')!;
      await h.storage.db
        .updateTable('evidence_log')
        .set({ content: op.content!.replace('"alice"', '"mallory"') })
        .where('id', '=', op.id)
        .execute();
      const v = await verdict(h);
      assert.equal(v.intact, false);
      if (!v.intact) assert.equal(v.seq, Number(op.seq));
      await h.storage.db
        .updateTable('evidence_log')
        .set({ content: op.content })
        .where('id', '=', op.id)
        .execute();
    });

    it('catches an entry moved in time (its column no longer matches its hashed content)', async () => {
      const target = (await rows())[2]!;
      await h.storage.db
        .updateTable('evidence_log')
        .set({ at: Number(target.at) + 3_600_000 })
        .where('id', '=', target.id)
        .execute();
      const v = await verdict(h);
      assert.equal(v.intact, false);
      if (!v.intact) {
        assert.equal(v.problem, 'details_altered');
        assert.equal(v.seq, 3);
      }
      await h.storage.db
        .updateTable('evidence_log')
        .set({ at: target.at })
        .where('id', '=', target.id)
        .execute();
    });

    it('catches two entries swapped in order', async () => {
      const [a, b] = (await rows()).slice(3, 5);
      assert.ok(a && b);
      const swap = async (x: number, y: number) => {
        await h.storage.db
          .updateTable('evidence_log')
          .set({ seq: -1 })
          .where('id', '=', a.id)
          .execute();
        await h.storage.db
          .updateTable('evidence_log')
          .set({ seq: x })
          .where('id', '=', b.id)
          .execute();
        await h.storage.db
          .updateTable('evidence_log')
          .set({ seq: y })
          .where('id', '=', a.id)
          .execute();
      };
      await swap(Number(a.seq), Number(b.seq));
      const v = await verdict(h);
      assert.equal(v.intact, false);
      if (!v.intact) {
        assert.equal(v.problem, 'link_broken');
        assert.equal(v.seq, Number(a.seq));
        assert.match(v.message, /reordered/);
      }
      await swap(Number(b.seq), Number(a.seq));
      assert.equal((await verdict(h)).intact, true);
    });

    it('catches a deleted entry in the middle, and deleted entries at the end', async () => {
      const all = await rows();
      const middle = all[4]!;
      await h.storage.db.deleteFrom('evidence_log').where('id', '=', middle.id).execute();
      let v = await verdict(h);
      assert.equal(v.intact, false);
      if (!v.intact) {
        assert.equal(v.problem, 'missing');
        assert.equal(v.seq, 5);
        assert.match(v.message, /entry #5 is missing/);
      }
      await h.storage.db.insertInto('evidence_log').values(middle).execute();
      assert.equal((await verdict(h)).intact, true);

      const last = all.at(-1)!;
      await h.storage.db.deleteFrom('evidence_log').where('id', '=', last.id).execute();
      v = await verdict(h);
      assert.equal(v.intact, false);
      if (!v.intact) {
        assert.equal(v.problem, 'tail_missing');
        assert.equal(v.seq, total);
      }
      await h.storage.db.insertInto('evidence_log').values(last).execute();
      assert.equal((await verdict(h)).intact, true);
    });

    it('catches a chain rewritten from an entry onward with recomputed hashes, thanks to the signed head', async () => {
      const all = await rows();
      const target = all.find((r) => r.kind === 'operator')!;
      const forged = target.content!.replace('"alice"', '"mallory"');
      let previous = target.prev_hash!;
      for (const r of all.filter((x) => Number(x.seq) >= Number(target.seq))) {
        const contentHash = r.id === target.id ? sha256Hex(forged) : r.content_hash;
        const hash = entryHash(Number(r.seq), previous, contentHash);
        await h.storage.db
          .updateTable('evidence_log')
          .set({
            prev_hash: previous,
            entry_hash: hash,
            content_hash: contentHash,
            ...(r.id === target.id ? { content: forged } : {}),
          })
          .where('id', '=', r.id)
          .execute();
        previous = hash;
      }
      await h.storage.db.updateTable('evidence_chain').set({ last_hash: previous }).execute();
      const v = await verdict(h);
      assert.equal(v.intact, false);
      if (!v.intact) assert.equal(v.problem, 'head_mismatch');

      // Forging the head too needs the key derived from NONMERCI_SECRET.
      await h.storage.db
        .updateTable('evidence_heads')
        .set({ entry_hash: previous })
        .where('seq', '=', total)
        .execute();
      const v2 = await verdict(h);
      assert.equal(v2.intact, false);
      if (!v2.intact) assert.equal(v2.problem, 'head_forged');

      for (const r of all)
        await h.storage.db
          .updateTable('evidence_log')
          .set({
            prev_hash: r.prev_hash,
            entry_hash: r.entry_hash,
            content_hash: r.content_hash,
            content: r.content,
          })
          .where('id', '=', r.id)
          .execute();
      await h.storage.db
        .updateTable('evidence_chain')
        .set({ last_hash: all.at(-1)!.entry_hash! })
        .execute();
      await h.storage.db
        .updateTable('evidence_heads')
        .set({ entry_hash: all.at(-1)!.entry_hash! })
        .where('seq', '=', total)
        .execute();
      assert.equal((await verdict(h)).intact, true);
    });

    it('accepts an entry erased by retention, but not content removed without erasure', async () => {
      const target = (await rows()).find((r) => r.kind === 'text')!;
      await h.storage.db
        .updateTable('evidence_log')
        .set({ content: null })
        .where('id', '=', target.id)
        .execute();
      const v = await verdict(h);
      assert.equal(v.intact, false);
      if (!v.intact) assert.equal(v.seq, Number(target.seq));
      await h.storage.db
        .updateTable('evidence_log')
        .set({ erased_at: h.clock.now(), caller_id: null })
        .where('id', '=', target.id)
        .execute();
      const ok = await verdict(h);
      assert.equal(ok.intact, true);
      if (ok.intact) assert.equal(ok.erased, 1);
    });

    it('keeps linking new entries after verification, with more signed heads as it grows', async () => {
      for (let i = 0; i < 300; i++)
        await h.intake.receive('simulator', {
          kind: 'call',
          from: `+336399${String(10000 + i)}`,
          to: LINE,
          providerSid: `SIMB${i}`,
          body: null,
        });
      const v = await verdict(h);
      assert.equal(v.intact, true);
      if (v.intact) {
        assert.equal(v.count, total + 300);
        assert.ok(v.headsChecked >= 2);
      }
      const heads = await h.storage.db.selectFrom('evidence_heads').select('seq').execute();
      assert.ok(
        heads.some((x) => Number(x.seq) >= 256),
        'a head once 256 more entries are linked',
      );
    });

    it('links entries appended concurrently by several sequencers without gaps or forks', async () => {
      // More than two rounds of linking (500 entries a round), which yield to other work between.
      await Promise.all(
        Array.from({ length: 1_100 }, (_, i) =>
          h.intake.receive('simulator', {
            kind: 'call',
            from: `+336398${String(20000 + i)}`,
            to: LINE,
            providerSid: `SIMC${i}`,
            body: null,
          }),
        ),
      );
      await Promise.all([
        h.journal.seal(h.clock.now()),
        h.journal.seal(h.clock.now()),
        h.journal.seal(h.clock.now()),
      ]);
      const v = await verdict(h);
      assert.equal(v.intact, true);
      const unchained = await sql<{
        n: number;
      }>`select count(*) as n from evidence_log where seq is null`.execute(h.storage.db);
      assert.equal(Number(unchained.rows[0]!.n), 0);
    });

    it('`nonmerci evidence verify` prints the count and head, or the breaking entry with exit code 1', async () => {
      const out: string[] = [];
      const verifyCommand = () =>
        runEvidence(
          testConfig(database.target),
          {
            action: 'verify',
            arg: null,
            from: null,
            to: null,
            line: null,
            out: null,
            note: null,
            language: null,
            actor: 'test',
          },
          (l) => out.push(l),
        );
      assert.equal(await verifyCommand(), 0);
      assert.match(
        out[0]!,
        /^✓ The evidence chain is intact: \d+ entries, head #\d+ [0-9a-f]{64}\.$/,
      );
      const victim = (await rows()).find((r) => r.kind === 'call')!;
      await h.storage.db.deleteFrom('evidence_log').where('id', '=', victim.id).execute();
      out.length = 0;
      assert.equal(await verifyCommand(), 1);
      assert.match(
        out[0]!,
        new RegExp(`BROKEN at entry #${victim.seq}: entry #${victim.seq} is missing`),
      );
      await h.storage.db.insertInto('evidence_log').values(victim).execute();
    });
  });
}
