import type { EventRecord } from './records.ts';

/**
 * Characters that some line readers (Python's `splitlines`, several editors) treat as line breaks,
 * which JSON.stringify leaves raw. They can only occur inside strings, where the \u form is the
 * same value.
 */
const LINE_BREAKS = /[\u0085\u2028\u2029]/g;

function escapeLineBreak(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * events.jsonl: one JSON object per line, the exact values (no spreadsheet escaping), each with the
 * `content` string that was hashed, so a program can check every contentHash. No BOM: JSON Lines
 * tools expect plain UTF-8.
 */
export function eventsJsonl(records: readonly EventRecord[]): Uint8Array {
  const text = records
    .map((record) => JSON.stringify(record).replace(LINE_BREAKS, escapeLineBreak) + '\n')
    .join('');
  return new TextEncoder().encode(text);
}
