import type { Language } from '../../domain/types.ts';
import { CHAIN_LABEL, entryHash, GENESIS_HASH } from '../chain.ts';
import { formatsFor } from './formats.ts';
import { render } from './plain-text.ts';
import type { Piece } from './plain-text.ts';
import type { EventRecord } from './records.ts';
import type { BundleSummary } from './types.ts';
import { readmeEnglish } from './readme-en.ts';
import { readmeFrench } from './readme-fr.ts';
import { wordsFor } from './words.ts';

/**
 * README.txt: a note for a police officer or a lawyer who receives the bundle, French first then
 * English: what the files are and how to check, with standard tools, that none was altered.
 */

export const README_NAME = 'README.txt';

/** A worked example of one chain link, taken from the bundle, when two consecutive entries are in it. */
export interface ChainExample {
  seq: number;
  previous: string;
  contentHash: string;
  entryHash: string;
}

/** What the French and English notes are written from. */
export interface ReadmeFacts {
  from: string;
  to: string;
  fromUtc: string;
  toUtc: string;
  timeZone: string;
  exportedBy: string;
  generatedAt: string;
  example: ChainExample | null;
  chainLabel: string;
}

function facts(
  summary: BundleSummary,
  language: Language,
  example: ChainExample | null,
): ReadmeFacts {
  const f = formatsFor(wordsFor(language).locale, summary.timeZone, summary.currency);
  return {
    from: f.dateTime(summary.from),
    to: f.dateTime(summary.to),
    fromUtc: f.dateTimeUtc(summary.from),
    toUtc: f.dateTimeUtc(summary.to),
    timeZone: summary.timeZone,
    exportedBy: summary.exportedBy,
    generatedAt: f.dateTime(summary.generatedAt),
    example,
    chainLabel: CHAIN_LABEL,
  };
}

/**
 * The first link of the bundle that can be shown end to end: an entry whose predecessor is also in
 * the bundle (or the very first entry), and whose hash our own chain code confirms, so the example
 * in the note is right by construction.
 */
export function chainExample(records: readonly EventRecord[]): ChainExample | null {
  const bySeq = new Map<number, EventRecord>();
  for (const r of records) if (r.seq !== null && r.entryHash !== null) bySeq.set(r.seq, r);
  for (const r of [...bySeq.values()].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))) {
    const seq = r.seq ?? 0;
    const previous = seq === 1 ? GENESIS_HASH : bySeq.get(seq - 1)?.entryHash;
    if (previous === undefined || previous === null) continue;
    if (entryHash(seq, previous, r.contentHash) !== r.entryHash) continue;
    return { seq, previous, contentHash: r.contentHash, entryHash: r.entryHash ?? '' };
  }
  return null;
}

/** Lines of the Python program that checks every content hash and chain link of events.jsonl. */
export function checkScript(): string[] {
  return [
    'import hashlib, json',
    '',
    'def sha(text):',
    "    return hashlib.sha256(text.encode('utf-8')).hexdigest()",
    '',
    "with open('events.jsonl', encoding='utf-8') as f:",
    '    events = [json.loads(line) for line in f]',
    "by_seq = {e['seq']: e for e in events if e['seq'] is not None}",
    'links = 0',
    'for e in events:',
    "    if e['content'] is not None:",
    "        assert sha(e['content']) == e['contentHash'], e",
    "    if e['seq'] is None:",
    '        continue',
    "    if e['seq'] == 1:",
    "        prev = '0' * 64",
    "    elif e['seq'] - 1 in by_seq:",
    "        prev = by_seq[e['seq'] - 1]['entryHash']",
    '    else:',
    '        continue',
    `    link = '${CHAIN_LABEL}\\n%d\\n%s\\n%s' % (`,
    "        e['seq'], prev, e['contentHash'])",
    "    assert sha(link) == e['entryHash'], e",
    '    links += 1',
    "print('OK:', len(events), 'events,', links, 'links')",
  ];
}

export const SCRIPT_START = '----- check.py -----';
export const SCRIPT_END = '----- end / fin -----';

/** README.txt for a bundle of `records` described by `summary`. */
export function readmeText(summary: BundleSummary, records: readonly EventRecord[]): Uint8Array {
  const example = chainExample(records);
  const banner = [
    'nonmerci — DOSSIER DE PREUVES / EVIDENCE BUNDLE',
    '===============================================',
    '',
    'Français d’abord, English below.',
    '',
  ].join('\n');
  const pieces: Piece[] = [
    ...readmeFrench(facts(summary, 'fr', example)),
    { heading: 'ENGLISH' },
    ...readmeEnglish(facts(summary, 'en', example)),
    ...codeGlossary(),
    { heading: 'check.py (Python 3)' },
  ];
  const script = [SCRIPT_START, ...checkScript(), SCRIPT_END, ''].join('\n');
  return new TextEncoder().encode(`${banner}\n${render(pieces)}\n${script}`);
}

/**
 * The codes of events.csv (labels, reasons, shield triggers) with their words in French and in
 * English: the reports say the words, the spreadsheet keeps the codes.
 */
function codeGlossary(): Piece[] {
  const fr = wordsFor('fr');
  const en = wordsFor('en');
  const list = (names: 'labelNames' | 'reasonNames' | 'triggerNames'): Piece[] =>
    Object.keys(fr[names]).map((code) => ({
      term: code,
      text: `${fr[names][code]} / ${en[names][code] ?? fr[names][code]}`,
    }));
  return [
    { heading: 'CODES (events.csv : labels, reason, trigger)' },
    ...list('labelNames'),
    ...list('reasonNames'),
    ...list('triggerNames'),
  ];
}
