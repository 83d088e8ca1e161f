import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { microsToDecimal } from './amounts.ts';
import { eventsCsv } from './csv.ts';
import { eventsJsonl } from './jsonl.ts';
import type { EventRecord } from './records.ts';

const record = (overrides: Partial<EventRecord>): EventRecord => ({
  seq: 1,
  entryHash: 'a'.repeat(64),
  contentHash: 'b'.repeat(64),
  timeUtc: '2026-11-01T16:00:00.000Z',
  timeLocal: '2026-11-01T17:00:00.000+01:00',
  kind: 'text',
  line: '+33939000000',
  caller: '+33639980012',
  text: 'bonjour',
  labels: [],
  decision: null,
  reason: null,
  actor: null,
  costMicros: null,
  content: '{}',
  ...overrides,
});

const lines = (records: EventRecord[]): string[] =>
  new TextDecoder().decode(eventsCsv(records)).split('\r\n');

describe('microsToDecimal', () => {
  it('keeps four to six decimals', () => {
    assert.equal(microsToDecimal(80_000), '0.0800');
    assert.equal(microsToDecimal(79_123), '0.079123');
    assert.equal(microsToDecimal(79_120), '0.07912');
    assert.equal(microsToDecimal(1_600_000), '1.6000');
    assert.equal(microsToDecimal(0), '0.0000');
    assert.equal(microsToDecimal(-160_000), '-0.1600');
    assert.equal(microsToDecimal(12_345_678_901), '12345.678901');
  });

  it('refuses fractions of a micro', () => {
    assert.throws(() => microsToDecimal(0.5), RangeError);
  });
});

describe('eventsCsv', () => {
  it('starts with a BOM and a header, and ends rows with CRLF', () => {
    const bytes = eventsCsv([record({})]);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const [header, row, end] = lines([record({})]);
    assert.ok(header?.endsWith('actor,cost,erased'));
    assert.ok(row?.startsWith('1,'));
    assert.equal(end, '');
  });

  it('puts an apostrophe before anything a spreadsheet would run', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '＝1']) {
      const row = lines([record({ text, caller: null, line: null })])[1] ?? '';
      assert.ok(row.includes(`'${text}`) || row.includes(`"'${text}`), JSON.stringify(row));
    }
    const plain = lines([record({ text: 'a=b' })])[1] ?? '';
    assert.ok(plain.includes(',a=b,'));
  });

  it('writes empty cells for nulls, labels joined by ;, cost in units, erased', () => {
    const row = lines([
      record({ labels: ['threat', 'insult'], costMicros: 80_000, content: null, caller: null }),
    ])[1];
    assert.ok(row?.endsWith(',threat;insult,,,,0.0800,yes'), row);
  });
});

describe('eventsJsonl', () => {
  it('keeps exact values and one line per event, whatever the text holds', () => {
    const text = 'a\nb\u2028c\u0085d';
    const out = new TextDecoder().decode(eventsJsonl([record({ text }), record({ seq: 2 })]));
    const rows = out.split('\n');
    assert.equal(rows.length, 3);
    assert.equal((JSON.parse(rows[0] ?? '') as EventRecord).text, text);
    assert.ok(!/[\u2028\u2029\u0085]/.test(out));
    assert.equal((JSON.parse(rows[1] ?? '') as EventRecord).caller, '+33639980012');
  });
});
