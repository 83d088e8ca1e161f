import type { Piece } from './plain-text.ts';
import type { ChainExample, ReadmeFacts } from './readme.ts';

function example(label: string, e: ChainExample | null): Piece[] {
  if (!e) return [];
  return [
    `An example from this bundle, entry number ${e.seq} (on macOS, use shasum -a 256 instead of ` +
      'sha256sum):',
    {
      code: [
        `printf '${label}\\n%s\\n%s\\n%s' ${e.seq} \\`,
        `  ${e.previous} \\`,
        `  ${e.contentHash} \\`,
        '  | sha256sum',
      ],
    },
    'must print the fingerprint of that entry (entryHash):',
    { code: [e.entryHash] },
  ];
}

/** The English half of README.txt. */
export function readmeEnglish(f: ReadmeFacts): Piece[] {
  return [
    { heading: 'What this bundle is' },
    'This bundle was made by nonmerci, the software of an anti-harassment phone line: the line ' +
      'answers calls and texts, sends at most one text about consent, and keeps a journal of ' +
      'everything it receives.',
    `It holds the calls and texts received from ${f.from} to ${f.to} (time zone ${f.timeZone}), ` +
      `that is from ${f.fromUtc} to ${f.toUtc}, and what the line did with them. ` +
      `It was exported by ${f.exportedBy} on ${f.generatedAt}.`,
    'It contains personal data: phone numbers and the texts of messages, including insults ' +
      'and threats. Only pass it on to the people in charge of the case.',
    { heading: 'The files' },
    {
      term: 'summary.pdf',
      text: 'The report to read first: totals, hours, senders, threats, costs.',
    },
    { term: 'summary.html', text: 'The same report, to open in a web browser.' },
    {
      term: 'events.csv',
      text:
        'Every event, one per row, to open in a spreadsheet (Excel, LibreOffice). A cell ' +
        'starting with =, +, - or @ gets an apostrophe in front, so that the spreadsheet does ' +
        "not run it as a formula: phone numbers therefore show as '+33639980012 instead of " +
        '+33639980012. The exact values are in events.jsonl.',
    },
    {
      term: 'events.jsonl',
      text: 'The same events, exact values, one JSON object per line, for programs.',
    },
    {
      term: 'chain-head.txt',
      text: 'The state of the journal’s fingerprint chain when the bundle was made.',
    },
    { term: 'SHA256SUMS', text: 'The SHA-256 fingerprint of each file above.' },
    { term: 'README.txt', text: 'This note.' },
    'Every time is given twice: in universal time (column time_utc, ending in Z) and in local ' +
      'time with its offset (column time_local; for example +01:00 for winter time in Paris, ' +
      '+02:00 for summer time).',
    'A "withheld" caller had hidden their number. An event marked "yes" in the erased column ' +
      'was erased by the data retention rule: its text no longer exists, but its fingerprint ' +
      'is kept, so the chain still checks.',
    { heading: 'Checking that nothing was altered' },
    '1. File fingerprints. A SHA-256 fingerprint is a string of 64 characters computed from ' +
      'the content of a file: if a single character of the file changes, the fingerprint ' +
      'changes completely. The file SHA256SUMS lists the fingerprint of every file in the ' +
      'bundle. To recompute them, open a terminal in this folder and type:',
    {
      code: [
        'sha256sum -c SHA256SUMS            (Linux)',
        'shasum -a 256 -c SHA256SUMS       (macOS)',
      ],
    },
    'The command must report every file OK and none FAILED. On Windows, in PowerShell:',
    { code: ['Get-FileHash -Algorithm SHA256 events.csv'] },
    'then compare by eye the fingerprint shown with the one on the "events.csv" line of ' +
      'SHA256SUMS (Windows writes it in capitals: it is the same). Do the same for each file.',
    '2. The fingerprint of SHA256SUMS. When the bundle was exported, the line wrote the ' +
      'fingerprint of SHA256SUMS in its audit log. The person running the line can therefore ' +
      'prove that this bundle is the one they exported: the fingerprint printed by the ' +
      'following command must be the one in the audit log.',
    { code: ['sha256sum SHA256SUMS'] },
    '3. The fingerprint of each event. In events.jsonl, each event carries its exact content ' +
      '(field content, a canonical JSON text) and the fingerprint of that content (field ' +
      'contentHash): contentHash is the SHA-256 of the UTF-8 bytes of content. For example, ' +
      'for the first event, with the jq tool:',
    { code: ['head -n 1 events.jsonl | jq -j .content | sha256sum'] },
    'must print the contentHash value of the same line. The other fields of the line (time, ' +
      'number, text…) repeat what content says, for convenience; content is what the ' +
      'fingerprint protects: in case of doubt, content is authoritative.',
    '4. The chain. The journal entries are chained in the order of their number (seq): the ' +
      'fingerprint of each entry (entryHash) is the SHA-256 of the four-line text below, lines ' +
      'separated by a single line feed, with no line feed at the end:',
    {
      code: [
        f.chainLabel,
        '<seq>',
        '<entryHash of the previous entry, 64 zeros for the very first>',
        '<contentHash>',
      ],
    },
    'Changing, removing or moving an entry therefore breaks every link after it. This bundle ' +
      'only holds the entries of the exported period and lines: seq numbers may jump, and a ' +
      'link can be checked between two entries with consecutive numbers.',
    ...example(f.chainLabel, f.example),
    '5. The head of the chain. chain-head.txt gives the number of entries, and the position ' +
      'and fingerprint of the latest entry when the bundle was made. On the line, the command ' +
      '"nonmerci evidence verify" checks the whole chain again and prints its head: as long as ' +
      'no entry has been added, it is the same fingerprint; after that, the chain carries on ' +
      'from that entry, whose fingerprint does not change.',
    'Checking everything at once (for a technician): the Python 3 program check.py, at the ' +
      'end of this note, recomputes every contentHash and every link between consecutive ' +
      'entries. Save it in this folder and run "python3 check.py": it must end with OK.',
  ];
}
