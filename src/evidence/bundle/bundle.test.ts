import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { unzipSync } from 'fflate';
import { buildBundle } from './bundle.ts';
import { CSV_COLUMNS } from './csv.ts';
import { SCRIPT_END, SCRIPT_START } from './readme.ts';
import { ACCENTS_TEXT, FORMULA_TEXT, fixtureInput, SCRIPT_TEXT } from './test-fixture.ts';

const sha256 = (data: Uint8Array | string): string =>
  createHash('sha256').update(data).digest('hex');
const utf8 = (data: Uint8Array | undefined): string => new TextDecoder().decode(data);

const FILES = [
  'README.txt',
  'SHA256SUMS',
  'chain-head.txt',
  'events.csv',
  'events.jsonl',
  'summary.html',
  'summary.pdf',
];

const input = fixtureInput('fr');
const bundle = await buildBundle(input);
const unzipped = unzipSync(bundle.zip);
const file = (name: string): Uint8Array => {
  const data = unzipped[`${bundle.folder}/${name}`];
  assert.ok(data, `${name} is in the bundle`);
  return data;
};

/** RFC 4180 reader, enough to read back what csv-stringify wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('buildBundle', () => {
  it('puts every file in one folder named after the period in UTC', () => {
    assert.equal(bundle.folder, 'nonmerci-evidence-20261101T1600Z-20261101T2200Z');
    assert.deepEqual(
      Object.keys(unzipped).sort(),
      FILES.map((name) => `${bundle.folder}/${name}`).sort(),
    );
    assert.deepEqual(
      bundle.files.map((f) => f.name),
      FILES,
    );
  });

  it('writes a SHA256SUMS that matches every other file, in sha256sum format', () => {
    const lines = utf8(file('SHA256SUMS')).split('\n');
    assert.equal(lines.pop(), '', 'ends with a line break');
    const listed = lines.map((line) => {
      const match = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
      assert.ok(match, `"${line}" is in sha256sum format`);
      return { hash: match[1], name: match[2] ?? '' };
    });
    assert.deepEqual(
      listed.map((l) => l.name),
      FILES.filter((name) => name !== 'SHA256SUMS'),
    );
    for (const { hash, name } of listed) assert.equal(hash, sha256(file(name)), name);
  });

  it('returns the fingerprint of SHA256SUMS and of every file as unzipped', () => {
    assert.equal(bundle.manifestSha256, sha256(file('SHA256SUMS')));
    for (const f of bundle.files) {
      assert.equal(f.sha256, sha256(file(f.name)), f.name);
      assert.equal(f.bytes, file(f.name).byteLength, f.name);
    }
  });

  it('writes events.jsonl with the exact values and a content that hashes to contentHash', () => {
    const lines = utf8(file('events.jsonl')).split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, input.events.length);
    let erased = 0;
    lines.forEach((line, i) => {
      const event = input.events[i];
      assert.ok(event);
      const record = JSON.parse(line) as Record<string, unknown>;
      assert.deepEqual(Object.keys(record), [
        'seq',
        'entryHash',
        'contentHash',
        'timeUtc',
        'timeLocal',
        'kind',
        'line',
        'caller',
        'text',
        'labels',
        'decision',
        'reason',
        'actor',
        'costMicros',
        'content',
      ]);
      assert.equal(record.seq, event.seq);
      assert.equal(record.entryHash, event.entryHash);
      assert.equal(record.timeUtc, new Date(event.at).toISOString());
      assert.equal(record.caller, event.caller);
      assert.equal(record.text, event.text);
      assert.deepEqual(record.labels, event.labels);
      assert.equal(record.costMicros, event.costMicros);
      if (record.content === null) {
        erased++;
        return;
      }
      assert.equal(typeof record.content, 'string');
      const content = record.content as string;
      assert.equal(sha256(content), record.contentHash);
      // The content is canonical JSON of the facts, as the journal wrote it.
      assert.equal(canonicalize(JSON.parse(content)), content);
    });
    assert.equal(erased, 1);
    assert.ok(lines.some((l) => (JSON.parse(l) as { text: unknown }).text === ACCENTS_TEXT));
  });

  it('writes events.csv for spreadsheets, with formulas neutralised', () => {
    const text = utf8(file('events.csv'));
    // TextDecoder drops the BOM by default; read the bytes.
    assert.deepEqual([...file('events.csv').subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.equal(rows.length, input.events.length + 1);
    const column = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
    const texts = rows.map((row) => row[column('text')]);
    assert.ok(texts.includes(`'${FORMULA_TEXT}`));
    assert.ok(texts.includes(SCRIPT_TEXT));
    assert.ok(texts.includes(ACCENTS_TEXT));
    assert.ok(texts.includes('ligne 1\nligne 2, "guillemets"; point-virgule'));
    assert.ok(rows.slice(1).every((row) => row.length === CSV_COLUMNS.length));
    assert.ok(rows.slice(1).every((row) => row[column('caller')] !== '+33639980100'));
    assert.ok(rows.some((row) => row[column('caller')] === "'+33639980100"));
    assert.ok(rows.some((row) => row[column('caller')] === 'withheld'));
    assert.ok(rows.some((row) => row[column('cost')] === '0.0800'));
    assert.ok(rows.some((row) => row[column('labels')] === 'threat;insult'));
    assert.equal(rows.filter((row) => row[column('erased')] === 'yes').length, 1);
    const first = rows[1];
    assert.ok(first);
    assert.equal(first[column('time_utc')], '2026-11-01T16:00:03.825Z');
    assert.equal(first[column('time_local')], '2026-11-01T17:00:03.825+01:00');
  });

  it('writes a static summary.html with hostile text escaped and the totals', () => {
    const html = utf8(file('summary.html'));
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!/<script/i.test(html), 'no script element at all');
    assert.ok(!/\s(src|href)=/i.test(html), 'no external resource');
    assert.ok(html.includes("default-src 'none'"));
    assert.ok(html.includes('<svg'));
    assert.ok(html.includes('Document confidentiel — contient des données personnelles'));
    const { summary } = input;
    for (const [label, value] of [
      ['Appels', summary.calls],
      ['SMS', summary.texts],
      ['Expéditeurs distincts', summary.distinctSenders],
    ] as const) {
      assert.match(html, new RegExp(`<span class="value">${value}</span>${label}<`));
    }
    assert.ok(html.includes('Menaces signalées'));
    assert.ok(
      html.includes(`${summary.threatsTotal - summary.threats.length} de plus dans events.csv`),
    );
    assert.ok(html.includes(summary.chain.head));
  });

  it('writes a PDF', () => {
    const pdf = file('summary.pdf');
    assert.equal(Buffer.from(pdf.subarray(0, 5)).toString('latin1'), '%PDF-');
    assert.ok(Buffer.from(pdf).toString('latin1').trimEnd().endsWith('%%EOF'));
  });

  it('writes the chain head in French then English', () => {
    const text = utf8(file('chain-head.txt'));
    const { chain } = input.summary;
    assert.ok(text.includes(`Position de la tête : ${chain.headSeq}`));
    assert.ok(text.includes(`Head position: ${chain.headSeq}`));
    assert.equal(text.split(chain.head).length, 3, 'head hash in both languages');
    assert.ok(text.indexOf('Tête') < text.indexOf('Head'));
  });

  it('writes a README in French then English, within 80 columns', () => {
    const text = utf8(file('README.txt'));
    for (const line of text.split('\n')) assert.ok([...line].length <= 80, `too long: ${line}`);
    assert.ok(text.indexOf('Vérifier que rien') < text.indexOf('Checking that nothing'));
    for (const needle of [
      'sha256sum -c SHA256SUMS',
      'shasum -a 256 -c SHA256SUMS',
      'Get-FileHash -Algorithm SHA256 events.csv',
      'sha256sum SHA256SUMS',
      'nonmerci evidence verify',
      'nonmerci-chain-v1',
    ]) {
      assert.ok(text.includes(needle), needle);
    }
  });

  it('gives the same data files for the same input', async () => {
    const again = unzipSync((await buildBundle(fixtureInput('fr'))).zip);
    for (const name of [
      'events.csv',
      'events.jsonl',
      'summary.html',
      'README.txt',
      'chain-head.txt',
    ]) {
      assert.deepEqual(again[`${bundle.folder}/${name}`], file(name), name);
    }
  });

  it('writes the report in English when asked', async () => {
    const english = unzipSync((await buildBundle(fixtureInput('en'))).zip);
    const html = utf8(english[`${bundle.folder}/summary.html`]);
    assert.ok(html.includes('<html lang="en">'));
    assert.ok(html.includes('Threats flagged'));
    assert.ok(html.includes('Distinct senders'));
    assert.ok(!html.includes('Menaces signalées'));
    const head = utf8(english[`${bundle.folder}/chain-head.txt`]);
    assert.ok(!head.includes('Tête'));
  });
});

describe('the bundle, checked with standard tools', () => {
  const hasSha256sum = spawnSync('sha256sum', ['--version']).status === 0;
  const hasPython = spawnSync('python3', ['--version']).status === 0;

  function extract(): { dir: string; folder: string } {
    const dir = mkdtempSync(join(tmpdir(), 'nonmerci-bundle-'));
    for (const [name, data] of Object.entries(unzipped)) {
      const path = join(dir, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, data);
    }
    return { dir, folder: join(dir, bundle.folder) };
  }

  it(
    'passes sha256sum -c, and fails it once a byte of events.csv changes',
    { skip: !hasSha256sum },
    () => {
      const { dir, folder } = extract();
      try {
        execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, stdio: 'pipe' });
        const tampered = Buffer.from(file('events.csv'));
        tampered[200] = (tampered[200] ?? 0) ^ 1;
        writeFileSync(join(folder, 'events.csv'), tampered);
        const result = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder });
        assert.notEqual(result.status, 0);
        assert.match(result.stdout.toString(), /events\.csv: FAILED/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    'passes the README’s check.py and its printf example',
    { skip: !hasPython || !hasSha256sum },
    () => {
      const { dir, folder } = extract();
      try {
        const readme = utf8(file('README.txt'));
        const script = readme.slice(
          readme.indexOf(SCRIPT_START) + SCRIPT_START.length + 1,
          readme.indexOf(SCRIPT_END),
        );
        writeFileSync(join(folder, 'check.py'), script);
        const out = execFileSync('python3', ['check.py'], { cwd: folder }).toString();
        assert.match(
          out,
          new RegExp(`^OK: ${input.events.length} events, ${input.events.length - 1} links`),
        );

        const lines = readme.split('\n');
        const start = lines.findIndex((line) => line.trimStart().startsWith('printf '));
        const command = lines
          .slice(start, start + 4)
          .map((line) => line.trim())
          .join('\n');
        const expected = lines.slice(start + 4).find((line) => /^ {4}[0-9a-f]{64}$/.test(line));
        const printed = execFileSync('sh', ['-c', command]).toString();
        assert.equal(printed.split(' ')[0], expected?.trim());

        // Altering a hashed content without its hash is caught.
        const jsonl = utf8(file('events.jsonl')).replace('\\"Réponds connasse\\"', '\\"Bonjour\\"');
        assert.notEqual(jsonl, utf8(file('events.jsonl')));
        writeFileSync(join(folder, 'events.jsonl'), jsonl);
        assert.notEqual(spawnSync('python3', ['check.py'], { cwd: folder }).status, 0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
