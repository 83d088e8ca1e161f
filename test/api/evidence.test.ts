import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { runEvidence } from '../../src/cli/evidence.ts';
import { sha256Hex } from '../../src/evidence/chain.ts';
import type { ChainStatus, EvidenceHoldRow, EvidenceOverview } from '../../src/web/api/contract.ts';
import { DIALECTS } from '../support/databases.ts';
import {
  addModerator,
  api,
  auditEntry,
  ok,
  setUp,
  startDashboard,
  type Dashboard,
  type SignedIn,
} from '../support/dashboard.ts';
import { LINE, testConfig } from '../support/hotline.ts';

const MINUTE = 60_000;
// The ManualClock starts at 2026-11-01T16:00Z (17:00 in Paris).
const START = Date.UTC(2026, 10, 1, 16, 0);

const RAIDER = '+33639980003';
const THREAT = 'je sais où tu habites, je vais te retrouver';

function files(zip: Uint8Array): Map<string, Uint8Array> {
  const entries = unzipSync(zip);
  const folders = new Set(Object.keys(entries).map((name) => name.split('/')[0]));
  assert.equal(folders.size, 1, 'everything sits in one folder');
  return new Map(
    Object.entries(entries).map(([name, data]) => [name.split('/').slice(1).join('/'), data]),
  );
}

const utf8 = (bytes: Uint8Array | undefined) => {
  assert.ok(bytes);
  return new TextDecoder().decode(bytes);
};

for (const dialect of DIALECTS) {
  describe(`evidence bundle through the API [${dialect.name}]`, { skip: dialect.skip }, () => {
    let d: Dashboard;
    let admin: SignedIn;
    let sid = 0;
    const contact = (from: string, body: string | null) =>
      d.hotline.intake.receive('simulator', {
        kind: body === null ? 'call' : 'text',
        from,
        to: LINE,
        providerSid: `SIMX${++sid}`,
        body,
      });

    before(async () => {
      d = await startDashboard(dialect.name);
      admin = await setUp(d.app);
      const h = d.hotline;
      await contact('+33639980001', null);
      await contact('+33639980002', 'Bonjour, on m’a donné ce numéro');
      h.clock.advance(MINUTE);
      await contact(RAIDER, 'sale connasse');
      await contact(RAIDER, THREAT);
      await contact(RAIDER, null);
      h.clock.advance(65 * MINUTE);
      await h.worker.drain();
      // Outside the period exported below.
      h.clock.advance(5 * 3_600_000);
      await contact('+33639980009', 'plus tard');
    });
    after(() => d.close());

    it('exports a ZIP whose SHA256SUMS, events and chain head all check out', async () => {
      const res = await api(d.app, admin).post('/api/evidence/export', {
        from: new Date(START).toISOString(),
        to: new Date(START + 3 * 3_600_000).toISOString(),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['content-type'], 'application/zip');
      assert.match(
        String(res.headers['content-disposition']),
        /^attachment; filename="nonmerci-evidence-20261101T1600Z-20261101T1900Z\.zip"$/,
      );
      const bundle = files(res.rawPayload);
      assert.deepEqual([...bundle.keys()].sort(), [
        'README.txt',
        'SHA256SUMS',
        'chain-head.txt',
        'events.csv',
        'events.jsonl',
        'summary.html',
        'summary.pdf',
      ]);

      // The manifest lists every other file with its SHA-256, in sha256sum's format.
      const sums = utf8(bundle.get('SHA256SUMS'));
      const listed = sums
        .trimEnd()
        .split('\n')
        .map((l) => /^([0-9a-f]{64}) {2}(.+)$/.exec(l)!);
      assert.equal(listed.length, bundle.size - 1);
      for (const [, hash, name] of listed) assert.equal(sha256Hex(bundle.get(name!)!), hash, name);
      const manifestHash = sha256Hex(bundle.get('SHA256SUMS')!);
      assert.equal(res.headers['x-manifest-sha256'], manifestHash);

      // Events: exactly the journal entries of the period, each content hashing to its hash.
      const lines = utf8(bundle.get('events.jsonl')).trimEnd().split('\n');
      const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const journal = await d.hotline.journal.between(START, START + 3 * 3_600_000, null);
      assert.equal(events.length, journal.length);
      assert.equal(events.filter((e) => e.kind === 'call').length, 2);
      assert.equal(events.filter((e) => e.kind === 'text').length, 3);
      assert.ok(events.some((e) => e.kind === 'reply' && e.decision === 'sent'));
      for (const e of events) {
        assert.equal(sha256Hex(e.content as string), e.contentHash);
        assert.match(String(e.timeUtc), /Z$/);
        assert.match(String(e.timeLocal), /\+01:00$/);
      }
      const threat = events.find((e) => e.text === THREAT)!;
      assert.equal(threat.caller, RAIDER, 'numbers in full, for the authorities');
      assert.deepEqual(threat.labels, ['threat']);
      assert.equal(threat.timeLocal, '2026-11-01T17:01:00.000+01:00');
      assert.ok(!lines.join('\n').includes('plus tard'), 'nothing outside the period');
      const csv = utf8(bundle.get('events.csv'));
      assert.ok(csv.includes(THREAT) && csv.includes(RAIDER));

      // The chain head written in the bundle is the chain's tail, and the chain is intact.
      const tail = await d.hotline.journal.tail();
      assert.ok(utf8(bundle.get('chain-head.txt')).includes(tail.hash));
      const html = utf8(bundle.get('summary.html'));
      assert.ok(html.includes(tail.hash));
      assert.ok(utf8(bundle.get('summary.pdf')).startsWith('%PDF-'));

      // Audited with the manifest's hash; the period is now held as evidence.
      const audit = await auditEntry(d.app, admin, 'evidence.export');
      assert.equal(audit.actor, 'alice');
      assert.equal(audit.detail?.manifestSha256, manifestHash);
      assert.equal(audit.detail?.chainHead, tail.hash);
      const overview = ok<EvidenceOverview>(await api(d.app, admin).get('/api/evidence'));
      const held = overview.holds.find((h) => h.kind === 'exported');
      assert.ok(held);
      assert.equal(held.from, START);
      assert.equal(held.createdBy, 'alice');
    });

    it('passes `sha256sum -c` once unzipped, and fails it after one byte changes', async (t) => {
      try {
        execFileSync('sha256sum', ['--version'], { stdio: 'ignore' });
      } catch {
        t.skip('sha256sum is not installed');
        return;
      }
      const res = await api(d.app, admin).post('/api/evidence/export', {
        from: '2026-11-01T17:00',
        to: '2026-11-01T20:00',
        language: 'en',
      });
      assert.equal(res.statusCode, 200, res.body);
      const dir = mkdtempSync(join(tmpdir(), 'nonmerci-bundle-'));
      try {
        for (const [name, data] of Object.entries(unzipSync(res.rawPayload))) {
          mkdirSync(dirname(join(dir, name)), { recursive: true });
          writeFileSync(join(dir, name), data);
        }
        const folder = join(dir, 'nonmerci-evidence-20261101T1600Z-20261101T1900Z');
        execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, stdio: 'pipe' });
        const csv = readFileSync(join(folder, 'events.csv'));
        csv.writeUInt8(csv.readUInt8(csv.length - 2) ^ 1, csv.length - 2);
        writeFileSync(join(folder, 'events.csv'), csv);
        assert.throws(() =>
          execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, stdio: 'pipe' }),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('verifies the chain, holds and releases a period, all audited', async () => {
      const status = ok<ChainStatus>(await api(d.app, admin).get('/api/evidence/verify'));
      assert.equal(status.verdict.intact, true);
      if (status.verdict.intact) assert.ok(status.verdict.count >= 9);

      const hold = ok<EvidenceHoldRow>(
        await api(d.app, admin).post('/api/evidence/holds', {
          from: '2026-11-01T17:00',
          to: '2026-11-01T18:00',
          lineId: d.hotline.defaultLine.id,
          note: 'Raid du forum',
        }),
      );
      assert.equal(hold.kind, 'flagged');
      assert.equal(hold.from, START);
      assert.equal(hold.lineNumber, LINE);
      assert.equal((await auditEntry(d.app, admin, 'evidence.hold')).detail?.note, 'Raid du forum');
      const released = await api(d.app, admin).post(`/api/evidence/holds/${hold.id}/release`);
      assert.equal(released.statusCode, 204);
      assert.equal((await auditEntry(d.app, admin, 'evidence.release')).actor, 'alice');
      const again = await api(d.app, admin).post(`/api/evidence/holds/${hold.id}/release`);
      assert.equal(again.statusCode, 404);
      const overview = ok<EvidenceOverview>(await api(d.app, admin).get('/api/evidence'));
      assert.ok(!overview.holds.some((h) => h.id === hold.id));
    });

    it('refuses bad periods and unknown lines with a 400 naming the field', async () => {
      const post = (body: unknown) => api(d.app, admin).post('/api/evidence/export', body);
      const cases: [unknown, string][] = [
        [{ from: 'yesterday', to: '2026-11-01T18:00' }, 'from'],
        [{ from: '2026-11-01T18:00', to: '2026-11-01T17:00' }, 'to'],
        [{ from: '2026-11-01T17:00', to: '2026-11-01T18:00', lineId: 999 }, 'lineId'],
        [{ from: '2026-11-01T17:00', to: '2026-11-01T18:00', lineId: 'x' }, 'lineId'],
        [{ from: '2026-13-01T17:00', to: '2026-11-01T18:00' }, 'from'],
        [{ from: '2026-11-01T17:00', to: '2026-11-01T18:00', language: 'de' }, 'language'],
      ];
      for (const [body, field] of cases) {
        const res = await post(body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
        assert.equal(res.json<{ field?: string }>().field, field, JSON.stringify(body));
      }
      const tooLong = await post({ from: '2026-01-01T00:00', to: '2026-11-01T00:00' });
      assert.equal(tooLong.statusCode, 400);
      assert.match(tooLong.body, /92 days/);
    });

    it('refuses every evidence route to a moderator', async () => {
      const moderator = (await addModerator(d.app, admin)).session;
      const as = api(d.app, moderator);
      for (const res of [
        await as.get('/api/evidence'),
        await as.get('/api/evidence/verify'),
        await as.post('/api/evidence/export', { from: '2026-11-01T17:00', to: '2026-11-01T18:00' }),
        await as.post('/api/evidence/holds', { from: '2026-11-01T17:00', to: '2026-11-01T18:00' }),
        await as.post('/api/evidence/holds/1/release'),
        await as.post('/api/evidence/callers/1/release'),
        await as.get('/api/evidence/organisation'),
        await as.put('/api/evidence/organisation', { name: 'x', address: '', contact: '' }),
      ])
        assert.equal(res.statusCode, 403, res.body);
    });

    it('`nonmerci evidence export` writes the bundle readable by its owner only', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nonmerci-cli-'));
      const out: string[] = [];
      try {
        const file = join(dir, 'raid.zip');
        const code = await runEvidence(
          testConfig(d.db.target),
          {
            action: 'export',
            arg: null,
            from: '2026-11-01T17:00',
            to: '2026-11-01T20:00',
            line: LINE,
            out: file,
            note: null,
            language: null,
            actor: 'carol (command line)',
          },
          (l) => out.push(l),
        );
        assert.equal(code, 0);
        assert.equal(statSync(file).mode & 0o777, 0o600);
        const bundle = files(readFileSync(file));
        const manifestHash = sha256Hex(bundle.get('SHA256SUMS')!);
        assert.ok(
          out.some((l) => l.includes(manifestHash)),
          out.join('\n'),
        );
        assert.ok(out.some((l) => l.startsWith('✓ The evidence chain is intact')));
        const audit = await auditEntry(d.app, admin, 'evidence.export');
        assert.equal(audit.actor, 'carol (command line)');
        assert.equal(audit.detail?.manifestSha256, manifestHash);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('holds the texts answered a moment before, still waiting in the intake log', async () => {
      // As during a flood, when the processor runs seconds behind the webhooks: here it records
      // nothing by itself any more.
      d.hotline.processor.leaveToOthers();
      d.hotline.clock.advance(MINUTE);
      const from = d.hotline.clock.now();
      const accepted = await d.hotline.intake.accept('simulator', {
        kind: 'text',
        from: '+33639980042',
        to: LINE,
        providerSid: `SIMX${++sid}`,
        body: 'tu réponds ou quoi',
      });
      assert.notEqual(accepted.logId, null);
      const res = await api(d.app, admin).post('/api/evidence/export', {
        from: new Date(from).toISOString(),
        to: new Date(from + 5 * MINUTE).toISOString(),
      });
      assert.equal(res.statusCode, 200, res.body);
      const events = utf8(files(res.rawPayload).get('events.jsonl'))
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const texts = events.filter((e) => e.kind === 'text');
      assert.deepEqual(
        texts.map((e) => [e.caller, e.text]),
        [['+33639980042', 'tu réponds ou quoi']],
      );
    });
  });
}

for (const dialect of DIALECTS) {
  describe(
    `the complaint report's organisation and quotes [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      it('prints the filing organisation, set once by an admin, at the top of the report', async (t) => {
        const d = await startDashboard(dialect.name);
        t.after(() => d.close());
        const admin = await setUp(d.app);
        const a = api(d.app, admin);
        await d.hotline.intake.receive('simulator', {
          kind: 'text',
          from: RAIDER,
          to: LINE,
          providerSid: 'SIM-ORG-1',
          body: 'sale connasse',
        });
        assert.deepEqual(ok(await a.get('/api/evidence/organisation')), {
          name: '',
          address: '',
          contact: '',
        });
        const period = {
          from: new Date(START).toISOString(),
          to: new Date(START + 3 * 3_600_000).toISOString(),
        };
        const before = utf8(
          files((await a.post('/api/evidence/export', period)).rawPayload).get('summary.html'),
        );
        assert.match(before, /Organisation qui dépose la plainte/);
        assert.match(before, /Non renseignée/);
        const organisation = {
          name: 'Collectif Stop Relous',
          address: '3 place du Marché, 35000 Rennes',
          contact: 'plaintes@stop-relous.example',
        };
        assert.deepEqual(ok(await a.put('/api/evidence/organisation', organisation)), organisation);
        assert.equal(
          (await a.put('/api/evidence/organisation', { ...organisation, name: ' ' })).statusCode,
          400,
        );
        const english = await a.post('/api/evidence/export', { ...period, language: 'en' });
        assert.equal(english.statusCode, 200, english.body);
        const after = utf8(files(english.rawPayload).get('summary.html'));
        assert.match(after, /Organisation filing the complaint/);
        for (const value of Object.values(organisation)) assert.ok(after.includes(value), value);
        assert.equal(
          (await auditEntry(d.app, admin, 'evidence.organisation')).target,
          organisation.name,
        );
      });

      it('quotes in clear, under a warning, the texts an operator chose, and only those', async (t) => {
        const d = await startDashboard(dialect.name);
        t.after(() => d.close());
        const admin = await setUp(d.app);
        const a = api(d.app, admin);
        for (const [sid, body] of [
          ['SIM-Q-1', 'je sais où tu habites'],
          ['SIM-Q-2', 'réponds salope'],
        ] as const)
          await d.hotline.intake.receive('simulator', {
            kind: 'text',
            from: RAIDER,
            to: LINE,
            providerSid: sid,
            body,
          });
        await d.hotline.processor.drain();
        const page = ok<{ contacts: { id: number }[] }>(await a.get('/api/contacts'));
        const [newest] = page.contacts;
        assert.equal(
          (await a.post(`/api/contacts/${newest!.id}/quote`, { quoted: true })).statusCode,
          200,
        );
        const period = {
          from: new Date(START).toISOString(),
          to: new Date(START + 3 * 3_600_000).toISOString(),
        };
        const html = utf8(
          files((await a.post('/api/evidence/export', period)).rawPayload).get('summary.html'),
        );
        const section = html.slice(
          html.indexOf('Messages cités'),
          html.indexOf('Menaces signalées'),
        );
        assert.match(section, /reproduits en clair/);
        assert.ok(section.includes('réponds salope'), section);
        assert.ok(!section.includes('je sais où tu habites'), 'only the quoted text is quoted');
      });
    },
  );
}
