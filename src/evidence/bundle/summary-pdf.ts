import { CALLS_COLOUR, chartLayout, TEXTS_COLOUR } from './chart.ts';
import { printable } from './display.ts';
import { COLOURS, fontFor, PdfWriter } from './pdf-writer.ts';
import type { Block, Report, Tone } from './report.ts';

/** summary.pdf: the same report as summary.html, on A4 pages, with DejaVu Sans embedded. */

const CHART_HEIGHT = 190;

type Facts = Extract<Block, { type: 'facts' }>['rows'];

const FACTS_KEPT_TOGETHER = 200;

function labelWidthOf(pdf: PdfWriter, rows: Facts): number {
  // Narrow enough that a SHA-256 in the mono font fits on one line beside its label.
  return Math.min(
    pdf.width * 0.38,
    Math.max(...rows.map((row) => pdf.doc.font('body').fontSize(10).widthOfString(row.label))) + 14,
  );
}

function factHeights(pdf: PdfWriter, rows: Facts): number[] {
  const labelWidth = labelWidthOf(pdf, rows);
  return rows.map((row) =>
    Math.max(
      pdf.measure(row.label, 'body', 10, labelWidth - 10),
      pdf.measure(
        printable(row.value),
        fontFor(row.tone),
        sizeFor(row.tone),
        pdf.width - labelWidth,
      ),
    ),
  );
}

/** A short list of facts reads as one block: it is kept on one page, up to this height. */
function keptTogether(heights: number[]): number {
  return Math.min(
    heights.reduce((sum, h) => sum + h + 3, 0),
    FACTS_KEPT_TOGETHER,
  );
}

function facts(pdf: PdfWriter, rows: Facts): void {
  const labelWidth = labelWidthOf(pdf, rows);
  const valueWidth = pdf.width - labelWidth;
  const heights = factHeights(pdf, rows);
  pdf.ensureSpace(keptTogether(heights));
  rows.forEach((row, i) => {
    const font = fontFor(row.tone);
    const size = sizeFor(row.tone);
    const value = printable(row.value);
    const height = heights[i] ?? 0;
    pdf.ensureSpace(height + 3);
    const top = pdf.doc.y;
    pdf.text(row.label, { colour: COLOURS.muted, width: labelWidth - 10 });
    pdf.doc.y = top + (row.tone === 'mono' ? 1.5 : 0);
    pdf.text(value, {
      font,
      size,
      x: pdf.left + labelWidth,
      width: valueWidth,
      colour: row.tone === 'alert' ? COLOURS.alert : COLOURS.text,
    });
    pdf.doc.y = top + height + 3;
  });
}

function sizeFor(tone: Tone | undefined): number {
  return tone === 'mono' ? 7.5 : 10;
}

function figures(pdf: PdfWriter, items: Extract<Block, { type: 'figures' }>['items']): void {
  const gap = 8;
  const width = (pdf.width - gap * (items.length - 1)) / items.length;
  const labelHeight = Math.max(
    ...items.map((item) => pdf.measure(item.label, 'body', 9, width - 12)),
  );
  const height = 30 + labelHeight + 8;
  pdf.ensureSpace(height);
  const top = pdf.doc.y;
  items.forEach((item, i) => {
    const x = pdf.left + i * (width + gap);
    pdf.doc.lineWidth(0.7).strokeColor(COLOURS.border).rect(x, top, width, height).stroke();
    pdf.doc.font('bold').fontSize(17).fillColor(COLOURS.text);
    pdf.doc.text(item.value, x + 6, top + 6, { width: width - 12, lineBreak: false });
    pdf.doc.font('body').fontSize(9).fillColor(COLOURS.muted);
    pdf.doc.text(item.label, x + 6, top + 30, { width: width - 12 });
  });
  pdf.doc.x = pdf.left;
  pdf.doc.y = top + height + 6;
}

function chart(pdf: PdfWriter, block: Extract<Block, { type: 'chart' }>): void {
  const legendHeight = 16;
  pdf.ensureSpace(CHART_HEIGHT + legendHeight + 8);
  const top = pdf.doc.y;
  const { doc } = pdf;
  doc.font('body').fontSize(7.5);
  const labelWidth =
    Math.max(24, ...block.hours.map((h) => doc.widthOfString(block.hourLabel(h.start)))) + 10;
  const layout = chartLayout(block.hours, {
    width: pdf.width,
    height: CHART_HEIGHT,
    margin: { left: 40, right: 6, top: 6, bottom: 18 },
    labelGap: labelWidth,
  });
  const at = (x: number): number => pdf.left + x;
  const { plot } = layout;
  doc.font('body').fontSize(7.5);
  for (const tick of layout.ticks) {
    doc
      .moveTo(at(plot.x), top + tick.y)
      .lineTo(at(plot.x + plot.width), top + tick.y)
      .lineWidth(0.4)
      .strokeColor(COLOURS.grid)
      .stroke();
    doc.fillColor(COLOURS.muted).text(block.count(tick.value), at(0), top + tick.y - 3.5, {
      width: plot.x - 5,
      align: 'right',
      lineBreak: false,
    });
  }
  for (const bar of layout.bars) {
    for (const [rect, colour] of [
      [bar.callsRect, CALLS_COLOUR],
      [bar.textsRect, TEXTS_COLOUR],
    ] as const) {
      if (rect.height > 0) doc.rect(at(rect.x), top + rect.y, rect.width, rect.height).fill(colour);
    }
  }
  const baseline = top + plot.y + plot.height;
  doc
    .moveTo(at(plot.x), baseline)
    .lineTo(at(plot.x + plot.width), baseline)
    .lineWidth(0.7);
  doc.strokeColor(COLOURS.text).stroke();
  doc.font('body').fontSize(7.5).fillColor(COLOURS.muted);
  for (const label of layout.labels) {
    doc.text(block.hourLabel(label.start), at(label.x) - labelWidth / 2, baseline + 5, {
      width: labelWidth,
      align: 'center',
      lineBreak: false,
    });
  }
  legend(pdf, block, top + CHART_HEIGHT + 2);
  doc.x = pdf.left;
  doc.y = top + CHART_HEIGHT + legendHeight + 6;
}

function legend(pdf: PdfWriter, block: Extract<Block, { type: 'chart' }>, y: number): void {
  const { doc } = pdf;
  let x = pdf.left + 40;
  doc.font('body').fontSize(8.5);
  for (const [label, colour] of [
    [block.legend.calls, CALLS_COLOUR],
    [block.legend.texts, TEXTS_COLOUR],
  ] as const) {
    doc.rect(x, y + 1, 8, 8).fill(colour);
    doc.fillColor(COLOURS.text).text(label, x + 12, y, { lineBreak: false });
    x += 12 + doc.widthOfString(label) + 18;
  }
  doc.fillColor(COLOURS.muted).text(block.caption, x, y, { lineBreak: false });
}

/** Height of the start of `b` that must share a page with the section's heading. */
function leadHeight(pdf: PdfWriter, b: Block): number {
  switch (b.type) {
    case 'facts':
      return keptTogether(factHeights(pdf, b.rows));
    case 'chart':
      return CHART_HEIGHT + 24;
    case 'figures':
      return 64;
    default:
      return 40;
  }
}

function block(pdf: PdfWriter, b: Block): void {
  switch (b.type) {
    case 'facts':
      facts(pdf, b.rows);
      break;
    case 'figures':
      figures(pdf, b.items);
      break;
    case 'list':
      for (const item of b.items) pdf.text(`•  ${printable(item)}`, { font: fontFor(b.tone) });
      break;
    case 'table':
      pdf.table(b.columns, b.rows);
      break;
    case 'chart':
      chart(pdf, b);
      break;
    case 'note':
      pdf.gap(2);
      pdf.text(b.text, {
        size: 8.5,
        colour: b.tone === 'alert' ? COLOURS.alert : COLOURS.muted,
      });
      pdf.gap(4);
      break;
  }
}

/** summary.pdf for `report`, with `generatedAt` as its creation date so the bytes repeat. */
export function summaryPdf(report: Report, generatedAt: number): Promise<Uint8Array> {
  const pdf = new PdfWriter({
    title: report.title,
    subject: report.confidential,
    author: 'nonmerci',
    createdAt: generatedAt,
    language: report.language,
  });
  // A non-breaking hyphen keeps "anti-harcèlement" whole when the title wraps.
  pdf.text(report.title.replaceAll('-', '\u2011'), { font: 'bold', size: 17 });
  pdf.gap(4);
  pdf.text(report.intro, { size: 9.5, colour: COLOURS.muted });
  for (const section of report.sections) {
    pdf.heading(section.title, section.blocks[0] ? leadHeight(pdf, section.blocks[0]) : 0);
    for (const b of section.blocks) block(pdf, b);
  }
  pdf.decoratePages(report.confidential, report.footer, report.page);
  return pdf.finish();
}
