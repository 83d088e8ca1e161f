import { stringify } from 'csv-stringify/sync';
import { microsToDecimal } from './amounts.ts';
import type { EventRecord } from './records.ts';

/** Column names of events.csv, in order. */
export const CSV_COLUMNS = [
  'seq',
  'entry_hash',
  'content_hash',
  'time_utc',
  'time_local',
  'kind',
  'line',
  'caller',
  'text',
  'labels',
  'decision',
  'reason',
  'actor',
  'cost',
  'erased',
] as const;

/** Makes Excel and LibreOffice read the file as UTF-8, so accents survive a double-click. */
const BOM = '\uFEFF';

function row(record: EventRecord): string[] {
  return [
    record.seq === null ? '' : String(record.seq),
    record.entryHash ?? '',
    record.contentHash,
    record.timeUtc,
    record.timeLocal,
    record.kind,
    record.line ?? '',
    record.caller ?? '',
    record.text ?? '',
    record.labels.join(';'),
    record.decision ?? '',
    record.reason ?? '',
    record.actor ?? '',
    record.costMicros === null ? '' : microsToDecimal(record.costMicros),
    record.content === null ? 'yes' : 'no',
  ];
}

/**
 * events.csv: a header, then one row per event, for reading in a spreadsheet.
 *
 * Raiders write the texts, so every cell that a spreadsheet would run as a formula (starting with
 * = + - @, a tab or a carriage return, or their full-width forms) gets a leading apostrophe. That
 * also touches caller numbers ("+33…"); events.jsonl keeps the exact values. Rows end in CRLF as
 * RFC 4180 asks; line breaks inside a text stay as they were, inside quotes.
 */
export function eventsCsv(records: readonly EventRecord[]): Uint8Array {
  const text = stringify([[...CSV_COLUMNS], ...records.map(row)], {
    escape_formulas: true,
    record_delimiter: 'windows',
  });
  return new TextEncoder().encode(BOM + text);
}
