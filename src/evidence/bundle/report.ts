import { formatsFor } from './formats.ts';
import type { Formats } from './formats.ts';
import type { Language } from '../../domain/types.ts';
import { describeShieldReason } from '../../policy/shield-reason.ts';
import type { BundleSummary, HourCount, ShieldSpan } from './types.ts';
import { wordsFor } from './words.ts';
import type { Words } from './words.ts';

/**
 * The summary report as plain content: sections of facts, tables, a chart and notes, every string
 * already translated and formatted. summary.html and summary.pdf only lay this out, so they say
 * exactly the same thing.
 */

/** How a value is shown: `mono` for hashes, `alert` for a broken chain, `hostile` for raiders' text. */
export type Tone = 'plain' | 'mono' | 'alert' | 'hostile';

export interface Column {
  title: string;
  align: 'left' | 'right';
  /** Share of the table's width. */
  weight: number;
  tone?: Tone;
}

export type Block =
  | { type: 'facts'; rows: { label: string; value: string; tone?: Tone }[] }
  | { type: 'figures'; items: { label: string; value: string }[] }
  | { type: 'list'; items: string[]; tone?: Tone }
  | { type: 'table'; columns: Column[]; rows: string[][] }
  | {
      type: 'chart';
      hours: HourCount[];
      caption: string;
      legend: { calls: string; texts: string };
      hourLabel: (ms: number) => string;
      count: (n: number) => string;
    }
  | { type: 'note'; text: string; tone?: Tone };

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
}

export interface Report {
  language: string;
  title: string;
  confidential: string;
  intro: string;
  /** "Produit par nonmerci — 1 novembre 2026 à 23:00 UTC+1", for page footers. */
  footer: string;
  page: (n: number, total: number) => string;
  sections: Section[];
}

function number(words: Words, value: string): string {
  return value === 'withheld' ? words.withheldNumber : value;
}

/**
 * A journal code in the report's words; a code this version does not know is shown as it is, so
 * a new code never breaks a report. README.txt lists every code of events.csv with its words.
 */
function named(names: Record<string, string>, code: string): string {
  return names[code] ?? code;
}

function labelList(words: Words, labels: readonly string[]): string {
  return labels.map((label) => words.labelNames[label] ?? label).join(', ');
}

function hoursSection(summary: BundleSummary, w: Words, f: Formats): Section {
  const listed = summary.hours.filter((h) => h.calls + h.texts + h.replies > 0);
  const blocks: Block[] = [
    {
      type: 'chart',
      hours: summary.hours,
      caption: w.chart.caption,
      legend: { calls: w.chart.calls, texts: w.chart.texts },
      // Past a day, an hour alone is ambiguous: say which day too.
      hourLabel: summary.hours.length > 24 ? f.hour : f.hourShort,
      count: f.count,
    },
  ];
  if (listed.length > 0) {
    blocks.push({
      type: 'table',
      columns: [
        { title: w.hoursTable.hour, align: 'left', weight: 3 },
        { title: w.hoursTable.calls, align: 'right', weight: 2 },
        { title: w.hoursTable.texts, align: 'right', weight: 2 },
        { title: w.hoursTable.replies, align: 'right', weight: 2 },
      ],
      rows: listed.map((h) => [
        f.hour(h.start),
        f.count(h.calls),
        f.count(h.texts),
        f.count(h.replies),
      ]),
    });
  }
  if (listed.length < summary.hours.length)
    blocks.push({ type: 'note', text: w.hoursTable.omitted });
  // A raid's pace, which the hourly chart flattens.
  if (summary.minutes.length > 1)
    blocks.push({
      type: 'chart',
      hours: summary.minutes,
      caption:
        summary.minutes.length * 60_000 >= summary.to - summary.from
          ? w.chart.minutes
          : w.chart.busiestMinutes,
      legend: { calls: w.chart.calls, texts: w.chart.texts },
      hourLabel: f.hourShort,
      count: f.count,
    });
  return { id: 'hours', title: w.sections.hours, blocks };
}

function threatsSection(summary: BundleSummary, w: Words, f: Formats): Section {
  if (summary.threats.length === 0 && summary.threatsTotal === 0) {
    return {
      id: 'threats',
      title: w.sections.threats,
      blocks: [{ type: 'note', text: w.noThreats }],
    };
  }
  const withLine = summary.lines.length > 1;
  const columns: Column[] = [
    { title: w.threatsTable.time, align: 'left', weight: 2 },
    { title: w.threatsTable.number, align: 'left', weight: 2.4 },
    ...(withLine ? [{ title: w.threatsTable.line, align: 'left' as const, weight: 2.4 }] : []),
    { title: w.threatsTable.text, align: 'left', weight: 6, tone: 'hostile' },
    { title: w.threatsTable.labels, align: 'left', weight: 2 },
  ];
  const rows = summary.threats.map((t) => [
    f.eventTime(t.at),
    number(w, t.number),
    ...(withLine ? [t.line] : []),
    t.text,
    labelList(w, t.labels),
  ]);
  const blocks: Block[] = [{ type: 'table', columns, rows }];
  const more = summary.threatsTotal - summary.threats.length;
  if (more > 0) blocks.push({ type: 'note', text: w.moreThreats(f.count(more)) });
  return { id: 'threats', title: w.sections.threats, blocks };
}

/** The texts the organisation chose to quote, in clear, under a warning; none: no section. */
function quotedSection(summary: BundleSummary, w: Words, f: Formats): Section[] {
  if (summary.quoted.length === 0) return [];
  const withLine = summary.lines.length > 1;
  const columns: Column[] = [
    { title: w.threatsTable.time, align: 'left', weight: 2 },
    { title: w.threatsTable.number, align: 'left', weight: 2.4 },
    ...(withLine ? [{ title: w.threatsTable.line, align: 'left' as const, weight: 2.4 }] : []),
    { title: w.threatsTable.text, align: 'left', weight: 8, tone: 'hostile' },
  ];
  const rows = summary.quoted.map((q) => [
    f.eventTime(q.at),
    number(w, q.number),
    ...(withLine ? [q.line] : []),
    q.text,
  ]);
  return [
    {
      id: 'quoted',
      title: w.sections.quoted,
      blocks: [
        { type: 'note', text: w.quotedWarning, tone: 'alert' },
        { type: 'table', columns, rows },
      ],
    },
  ];
}

function moneySection(summary: BundleSummary, w: Words, f: Formats): Section {
  const m = summary.money;
  const withheld = Object.entries(m.withheldByReason)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  return {
    id: 'money',
    title: w.sections.money,
    blocks: [
      {
        type: 'facts',
        rows: [
          { label: w.money.spent, value: f.money(m.spentMicros) },
          { label: w.money.repliesSent, value: f.count(m.repliesSent) },
          { label: w.money.replyPrice, value: f.money(m.replyPriceMicros) },
          { label: w.money.naive, value: f.money(m.naiveMicros) },
          { label: w.money.avoided, value: f.money(m.avoidedMicros) },
        ],
      },
      { type: 'note', text: w.money.avoidedNote },
      withheld.length === 0
        ? { type: 'note', text: w.money.noneWithheld }
        : {
            type: 'table',
            columns: [
              { title: w.money.withheld, align: 'left', weight: 6 },
              { title: w.money.count, align: 'right', weight: 1.5 },
            ],
            rows: withheld.map(([reason, n]) => [named(w.reasonNames, reason), f.count(n)]),
          },
    ],
  };
}

/** Why a shield period began (and ended), with its figures, in the report's language. */
function shieldWhy(s: ShieldSpan, language: Language, w: Words): string {
  const start = s.reason ? describeShieldReason(s.reason, language) : (s.detail ?? '');
  const end = s.endReason ? `${w.shieldEnded} ${describeShieldReason(s.endReason, language)}` : '';
  return [start, end].filter(Boolean).join(' ');
}

function shieldSection(summary: BundleSummary, w: Words, f: Formats): Section {
  const blocks: Block[] =
    summary.shieldPeriods.length === 0
      ? [{ type: 'note', text: w.noShield }]
      : [
          {
            type: 'table',
            columns: [
              { title: w.shieldTable.line, align: 'left', weight: 2 },
              { title: w.shieldTable.start, align: 'left', weight: 2 },
              { title: w.shieldTable.end, align: 'left', weight: 2 },
              { title: w.shieldTable.trigger, align: 'left', weight: 2 },
              { title: w.shieldTable.why, align: 'left', weight: 6 },
            ],
            rows: summary.shieldPeriods.map((s) => [
              s.line,
              f.eventTime(s.start),
              s.end === null ? w.shieldStillUp : f.eventTime(s.end),
              named(w.triggerNames, s.trigger),
              shieldWhy(s, summary.language, w),
            ]),
          },
        ];
  return { id: 'shield', title: w.sections.shield, blocks };
}

function chainSection(summary: BundleSummary, w: Words, f: Formats): Section {
  const c = summary.chain;
  return {
    id: 'chain',
    title: w.sections.chain,
    blocks: [
      {
        type: 'facts',
        rows: [
          { label: w.chain.count, value: f.count(c.count) },
          { label: w.chain.headSeq, value: String(c.headSeq) },
          { label: w.chain.head, value: c.head, tone: 'mono' },
          {
            label: w.chain.status,
            value: c.intact ? w.chain.intact : w.chain.broken,
            tone: c.intact ? 'plain' : 'alert',
          },
          { label: w.chain.message, value: c.verdict },
        ],
      },
      { type: 'note', text: w.chain.explain },
    ],
  };
}

/** The report of `summary`, in its language. */
export function buildReport(summary: BundleSummary): Report {
  const w = wordsFor(summary.language);
  const f = formatsFor(w.locale, summary.timeZone, summary.currency);
  const org = summary.organisation;
  const sections: Section[] = [
    {
      id: 'organisation',
      title: w.sections.organisation,
      blocks: org
        ? [
            {
              type: 'facts',
              rows: [
                { label: w.organisation.name, value: org.name },
                { label: w.organisation.address, value: org.address || w.none },
                { label: w.organisation.contact, value: org.contact || w.none },
              ],
            },
          ]
        : [{ type: 'note', text: w.organisation.missing }],
    },
    {
      id: 'period',
      title: w.sections.period,
      blocks: [
        {
          type: 'facts',
          rows: [
            { label: w.period.start, value: f.dateTime(summary.from) },
            { label: w.period.end, value: f.dateTime(summary.to) },
            { label: w.period.startUtc, value: f.dateTimeUtc(summary.from) },
            { label: w.period.endUtc, value: f.dateTimeUtc(summary.to) },
            { label: w.period.timeZone, value: summary.timeZone },
          ],
        },
      ],
    },
    {
      id: 'lines',
      title: w.sections.lines,
      blocks: [{ type: 'list', items: summary.lines.length > 0 ? summary.lines : [w.none] }],
    },
    {
      id: 'export',
      title: w.sections.export,
      blocks: [
        {
          type: 'facts',
          rows: [
            { label: w.exportedBy, value: summary.exportedBy },
            { label: w.exportedAt, value: f.dateTime(summary.generatedAt) },
          ],
        },
      ],
    },
    {
      id: 'totals',
      title: w.sections.totals,
      blocks: [
        {
          type: 'figures',
          items: [
            { label: w.totals.calls, value: f.count(summary.calls) },
            { label: w.totals.texts, value: f.count(summary.texts) },
            { label: w.totals.contacts, value: f.count(summary.calls + summary.texts) },
            { label: w.totals.distinctSenders, value: f.count(summary.distinctSenders) },
          ],
        },
      ],
    },
    hoursSection(summary, w, f),
    {
      id: 'senders',
      title: w.sections.topSenders,
      blocks:
        summary.topSenders.length === 0
          ? [{ type: 'note', text: w.noSenders }]
          : [
              {
                type: 'table',
                columns: [
                  { title: w.senders.number, align: 'left', weight: 3 },
                  { title: w.senders.calls, align: 'right', weight: 1.3 },
                  { title: w.senders.texts, align: 'right', weight: 1.3 },
                  { title: w.senders.labels, align: 'left', weight: 3 },
                  { title: w.senders.first, align: 'left', weight: 2.4 },
                  { title: w.senders.last, align: 'left', weight: 2.4 },
                ],
                rows: summary.topSenders.map((s) => [
                  number(w, s.number),
                  f.count(s.calls),
                  f.count(s.texts),
                  labelList(w, s.labels),
                  f.eventTime(s.first),
                  f.eventTime(s.last),
                ]),
              },
            ],
    },
    {
      id: 'labels',
      title: w.sections.labels,
      blocks: labelsBlocks(summary, w, f),
    },
    ...quotedSection(summary, w, f),
    threatsSection(summary, w, f),
    moneySection(summary, w, f),
    shieldSection(summary, w, f),
    chainSection(summary, w, f),
  ];
  return {
    language: summary.language,
    title: w.title,
    confidential: w.confidential,
    intro: w.intro,
    footer: `${w.generatedBy} — ${f.dateTime(summary.generatedAt)}`,
    page: w.page,
    sections,
  };
}

function labelsBlocks(summary: BundleSummary, w: Words, f: Formats): Block[] {
  const counts = Object.entries(summary.labelCounts)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  if (counts.length === 0) return [{ type: 'note', text: w.noLabels }];
  return [
    {
      type: 'table',
      columns: [
        { title: w.labelsTable.label, align: 'left', weight: 4 },
        { title: w.labelsTable.texts, align: 'right', weight: 1.5 },
      ],
      rows: counts.map(([label, n]) => [named(w.labelNames, label), f.count(n)]),
    },
  ];
}
