import { chainHeadText } from './chain-head.ts';
import { eventsCsv } from './csv.ts';
import { eventsJsonl } from './jsonl.ts';
import { describeFile, manifest, MANIFEST_NAME } from './manifest.ts';
import type { BundleFile } from './manifest.ts';
import { readmeText, README_NAME } from './readme.ts';
import { eventRecord } from './records.ts';
import { buildReport } from './report.ts';
import { summaryHtml } from './summary-html.ts';
import { compactUtc } from './times.ts';
import type { BundleInput } from './types.ts';
import { deterministicZip } from './zip.ts';

/** The PDF writer (pdfkit and its fonts, about 30 MB) is loaded on the first export only. */
const pdfModule = () => import('./summary-pdf.ts');

export type { BundleFile } from './manifest.ts';

/** What buildBundle returns: the archive and what the audit log needs to record about it. */
export interface Bundle {
  /** The ZIP archive, everything inside `folder`. */
  zip: Uint8Array;
  /** Every file of the folder, SHA256SUMS included, sorted by name. */
  files: BundleFile[];
  /** SHA-256 of SHA256SUMS: the one fingerprint that vouches for the whole bundle. */
  manifestSha256: string;
  /** "nonmerci-evidence-20261101T1600Z-20261101T2200Z". */
  folder: string;
}

/** Name of the bundle's folder (and a good name for the .zip): the period in UTC. */
export function bundleFolder(from: number, to: number): string {
  return `nonmerci-evidence-${compactUtc(from)}-${compactUtc(to)}`;
}

/**
 * Lays out an evidence export as a ZIP for the police or a lawyer: the events (CSV and JSON Lines),
 * a summary report (HTML and PDF), the chain head, a README and a SHA256SUMS manifest. Pure: the same
 * input gives the same bytes (summary.generatedAt stands in for the clock).
 */
export async function buildBundle(input: BundleInput): Promise<Bundle> {
  const { summary } = input;
  const records = input.events.map((event) => eventRecord(event, summary.timeZone));
  const report = buildReport(summary);
  const contents: { name: string; data: Uint8Array }[] = [
    { name: README_NAME, data: readmeText(summary, records) },
    { name: 'chain-head.txt', data: chainHeadText(summary) },
    { name: 'events.csv', data: eventsCsv(records) },
    { name: 'events.jsonl', data: eventsJsonl(records) },
    { name: 'summary.html', data: summaryHtml(report) },
    {
      name: 'summary.pdf',
      data: await (await pdfModule()).summaryPdf(report, summary.generatedAt),
    },
  ];
  const listed = contents.map((file) => describeFile(file.name, file.data));
  const sums = manifest(listed);
  contents.push({ name: MANIFEST_NAME, data: sums });
  const sumsFile = describeFile(MANIFEST_NAME, sums);
  const folder = bundleFolder(summary.from, summary.to);
  return {
    zip: deterministicZip(folder, contents, summary.generatedAt, summary.timeZone),
    files: [...listed, sumsFile].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    manifestSha256: sumsFile.sha256,
    folder,
  };
}
