import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from './report.ts';
import type { Block, Report } from './report.ts';
import { fixtureInput } from './test-fixture.ts';
import type { BundleSummary } from './types.ts';

const summary = (
  overrides: Partial<BundleSummary> = {},
  language: 'fr' | 'en' = 'fr',
): BundleSummary => ({
  ...fixtureInput(language).summary,
  ...overrides,
});

const section = (report: Report, id: string): Block[] => {
  const found = report.sections.find((s) => s.id === id);
  assert.ok(found, id);
  return found.blocks;
};

const tables = (blocks: Block[]): Extract<Block, { type: 'table' }>[] =>
  blocks.filter((b): b is Extract<Block, { type: 'table' }> => b.type === 'table');

describe('buildReport', () => {
  it('has every section, in order', () => {
    assert.deepEqual(
      buildReport(summary()).sections.map((s) => s.id),
      [
        'organisation',
        'period',
        'lines',
        'export',
        'totals',
        'hours',
        'senders',
        'labels',
        'quoted',
        'threats',
        'money',
        'shield',
        'chain',
      ],
    );
  });

  it('quotes the chosen texts in clear under a warning, and leaves the section out when none is', () => {
    const s = summary();
    const quoted = buildReport(s).sections.find((x) => x.id === 'quoted')!;
    const [warning, table] = quoted.blocks;
    assert.equal(warning?.type, 'note');
    assert.match(warning?.type === 'note' ? warning.text : '', /en clair/);
    assert.equal(table?.type, 'table');
    const texts = table?.type === 'table' ? table.rows.map((r) => r.at(-1)) : [];
    assert.deepEqual(
      texts,
      s.quoted.map((q) => q.text),
    );
    assert.ok(texts.length > 0);
    const none = buildReport({ ...s, quoted: [] }).sections.map((x) => x.id);
    assert.ok(!none.includes('quoted'));
  });

  it('opens with the organisation filing the complaint, or says where to set it', () => {
    const given = buildReport(summary()).sections[0]!;
    assert.deepEqual(given.blocks[0], {
      type: 'facts',
      rows: [
        { label: 'Nom', value: 'Collectif Nonmerci Lyon' },
        { label: 'Adresse', value: '12 rue des Tisserands, 69001 Lyon' },
        { label: 'Contact', value: 'contact@nonmerci.example' },
      ],
    });
    const missing = buildReport({ ...summary(), organisation: null, language: 'en' }).sections[0]!;
    assert.equal(missing.title, 'Organisation filing the complaint');
    assert.match(JSON.stringify(missing.blocks), /Evidence page/);
  });

  it('names withheld callers and says known codes in words, unknown ones as they are', () => {
    const s = summary({
      topSenders: [
        { number: 'withheld', calls: 1, texts: 0, labels: ['threat'], first: 0, last: 0 },
      ],
      money: { ...summary().money, withheldByReason: { cooldown: 3, brand_new_reason: 1 } },
    });
    const report = buildReport(s);
    assert.equal(tables(section(report, 'senders'))[0]?.rows[0]?.[0], 'Numéro masqué');
    assert.equal(tables(section(report, 'senders'))[0]?.rows[0]?.[3], 'Menace');
    const reasons = tables(section(report, 'money'))[0]?.rows.map((r) => r[0]);
    assert.deepEqual(reasons, ['Déjà répondu à ce numéro récemment', 'brand_new_reason']);
  });

  it("says why each shield period began and ended, in the report's language", () => {
    const fr = tables(section(buildReport(summary()), 'shield'))[0];
    assert.equal(fr?.columns.at(-1)?.title, 'Pourquoi');
    assert.match(
      fr?.rows[0]?.at(-1) ?? '',
      /^Raid lent : 9 nouveaux appelants hostiles en 30 minutes .* \(seuil : 8\)\. Fin : Calme revenu depuis 15 minutes/,
    );
    assert.equal(fr?.rows[0]?.[3], 'Détection automatique');
    const en = tables(section(buildReport(summary({}, 'en')), 'shield'))[0];
    assert.match(
      en?.rows[0]?.at(-1) ?? '',
      /^Slow raid: 9 hostile newcomers in 30 minutes.* Ended: Quiet for 15 minutes/,
    );
    const old = summary({
      shieldPeriods: [
        {
          line: '+33939000000',
          start: 0,
          end: null,
          trigger: 'auto',
          detail: '42 contacts in one minute',
        },
      ],
    });
    assert.equal(
      tables(section(buildReport(old), 'shield'))[0]?.rows[0]?.at(-1),
      '42 contacts in one minute',
    );
  });

  it('adds a line column to threats when the export covers several lines', () => {
    const one = tables(section(buildReport(summary()), 'threats'))[0];
    const two = tables(
      section(buildReport(summary({ lines: ['+33939000000', '+33939000001'] })), 'threats'),
    )[0];
    assert.equal((two?.columns.length ?? 0) - (one?.columns.length ?? 0), 1);
  });

  it('says how many threats are only in events.csv, and says so when there are none', () => {
    const notes = (s: BundleSummary): string[] =>
      section(buildReport(s), 'threats').flatMap((b) => (b.type === 'note' ? [b.text] : []));
    assert.deepEqual(notes(summary({ threatsTotal: 1234, threats: [] }, 'en')), [
      '… and 1,234 more in events.csv (label "threat").',
    ]);
    assert.deepEqual(notes(summary({ threatsTotal: 0, threats: [] })), [
      "Aucun SMS n'a été classé comme menace.",
    ]);
  });

  it('shows a broken chain as an alert', () => {
    const s = summary({
      chain: { ...summary().chain, intact: false, verdict: 'entry 42: hash mismatch' },
    });
    const facts = section(buildReport(s), 'chain').find((b) => b.type === 'facts');
    assert.ok(facts?.type === 'facts');
    assert.ok(facts.rows.some((r) => r.tone === 'alert' && r.value.startsWith('ROMPU')));
    assert.ok(facts.rows.some((r) => r.value === 'entry 42: hash mismatch'));
  });

  it('formats money for the reader, keeping sub-cent prices', () => {
    const money = { ...summary().money, spentMicros: 3_920_000, replyPriceMicros: 79_000 };
    const values = (language: 'fr' | 'en'): string[] => {
      const facts = section(buildReport(summary({ money }, language)), 'money')[0];
      assert.ok(facts?.type === 'facts');
      return facts.rows.map((r) => r.value);
    };
    assert.equal(values('fr')[0], '3,92\u00a0€');
    assert.equal(values('fr')[2], '0,0790\u00a0€');
    assert.equal(values('en')[0], '€3.92');
  });
});
