import { CALLS_COLOUR, chartLayout, TEXTS_COLOUR } from './chart.ts';
import type { Rect } from './chart.ts';
import { escapeHtml, printable } from './display.ts';
import type { Block, Column, Report, Tone } from './report.ts';

/**
 * summary.html: the report as one static page that opens offline in any browser and prints on A4.
 * No script and no external resource; a Content-Security-Policy forbids both, in case a hostile text
 * ever slipped past the escaping.
 */

const STYLE = `
:root { color: #1a1a1a; background: #fff; }
body { font: 11pt/1.45 "DejaVu Sans", Verdana, Arial, sans-serif; max-width: 190mm; margin: 2em auto;
  padding: 0 1em; }
.confidential { border: 2px solid #a40000; color: #a40000; font-weight: bold; padding: .5em .8em;
  margin-bottom: 1em; }
h1 { font-size: 1.5em; margin: .2em 0 .4em; }
h2 { font-size: 1.15em; border-bottom: 1px solid #999; padding-bottom: .15em; margin: 1.6em 0 .6em;
  break-after: avoid; }
p.intro { color: #333; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1.2em; margin: 0; }
dl.facts dt { color: #444; }
dl.facts dd { margin: 0; }
.figures { display: flex; flex-wrap: wrap; gap: .8em; }
.figure { border: 1px solid #bbb; padding: .5em .9em; min-width: 8em; }
.figure .value { display: block; font-size: 1.6em; font-weight: bold; }
ul.list { margin: 0; padding-left: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0; font-size: .92em; }
th, td { border: 1px solid #bbb; padding: .25em .45em; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; }
.right { text-align: right; font-variant-numeric: tabular-nums; }
.mono { font-family: "DejaVu Sans Mono", Consolas, monospace; overflow-wrap: anywhere; }
.alert { color: #a40000; font-weight: bold; }
.hostile { white-space: pre-wrap; overflow-wrap: anywhere; }
p.note { color: #444; font-size: .92em; }
figure { margin: .4em 0 .8em; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: .92em; color: #333; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em; margin: 0 .3em 0 .8em; }
footer { margin-top: 2em; color: #555; font-size: .85em; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; max-width: none; padding: 0; } }
`;

function toneClass(tone: Tone | undefined, align?: 'left' | 'right'): string {
  const classes = [];
  if (align === 'right') classes.push('right');
  if (tone && tone !== 'plain') classes.push(tone);
  return classes.length > 0 ? ` class="${classes.join(' ')}"` : '';
}

/** Hostile text goes in <bdi> so right-to-left overrides cannot reorder the rest of the row. */
function valueHtml(value: string, tone: Tone | undefined): string {
  const text = escapeHtml(printable(value));
  return tone === 'hostile' ? `<bdi>${text}</bdi>` : text;
}

function rect(r: Rect, fill: string): string {
  if (r.height <= 0) return '';
  const n = (v: number): string => v.toFixed(2);
  return `<rect x="${n(r.x)}" y="${n(r.y)}" width="${n(r.width)}" height="${n(r.height)}" fill="${fill}"/>`;
}

function chartSvg(block: Extract<Block, { type: 'chart' }>, id: string): string {
  const layout = chartLayout(block.hours, {
    width: 720,
    height: 240,
    margin: { left: 48, right: 10, top: 10, bottom: 26 },
    // No text measuring without a browser: 6.5 units per character is generous for 11-unit text.
    labelGap: Math.max(...block.hours.map((h) => block.hourLabel(h.start).length), 4) * 6.5 + 12,
  });
  const { plot } = layout;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${layout.width} ${layout.height}" ` +
      `role="img" aria-labelledby="${id}-title"><title id="${id}-title">${escapeHtml(block.caption)}</title>`,
    `<g font-size="11" fill="#333">`,
  ];
  for (const tick of layout.ticks) {
    parts.push(
      `<line x1="${plot.x}" x2="${plot.x + plot.width}" y1="${tick.y.toFixed(2)}" ` +
        `y2="${tick.y.toFixed(2)}" stroke="#ddd"/>`,
      `<text x="${plot.x - 6}" y="${(tick.y + 4).toFixed(2)}" text-anchor="end">` +
        `${escapeHtml(block.count(tick.value))}</text>`,
    );
  }
  for (const bar of layout.bars) {
    parts.push(rect(bar.callsRect, CALLS_COLOUR), rect(bar.textsRect, TEXTS_COLOUR));
  }
  for (const label of layout.labels) {
    parts.push(
      `<text x="${label.x.toFixed(2)}" y="${plot.y + plot.height + 16}" text-anchor="middle">` +
        `${escapeHtml(block.hourLabel(label.start))}</text>`,
    );
  }
  parts.push(
    `<line x1="${plot.x}" x2="${plot.x + plot.width}" y1="${plot.y + plot.height}" ` +
      `y2="${plot.y + plot.height}" stroke="#333"/>`,
    `</g></svg>`,
  );
  return (
    `<figure>${parts.join('')}<figcaption>${escapeHtml(block.caption)} —` +
    `<span class="swatch" style="background:${CALLS_COLOUR}"></span>${escapeHtml(block.legend.calls)}` +
    `<span class="swatch" style="background:${TEXTS_COLOUR}"></span>${escapeHtml(block.legend.texts)}` +
    `</figcaption></figure>`
  );
}

function tableHtml(columns: Column[], rows: string[][]): string {
  const head = columns
    .map((c) => `<th scope="col"${toneClass(undefined, c.align)}>${escapeHtml(c.title)}</th>`)
    .join('');
  const body = rows
    .map(
      (row) =>
        '<tr>' +
        row
          .map((cell, i) => {
            const column = columns[i];
            return `<td${toneClass(column?.tone, column?.align)}>${valueHtml(cell, column?.tone)}</td>`;
          })
          .join('') +
        '</tr>',
    )
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function blockHtml(block: Block, id: string): string {
  switch (block.type) {
    case 'facts':
      return (
        '<dl class="facts">' +
        block.rows
          .map(
            (row) =>
              `<dt>${escapeHtml(row.label)}</dt><dd${toneClass(row.tone)}>` +
              `${valueHtml(row.value, row.tone)}</dd>`,
          )
          .join('') +
        '</dl>'
      );
    case 'figures':
      return (
        '<div class="figures">' +
        block.items
          .map(
            (item) =>
              `<div class="figure"><span class="value">${escapeHtml(item.value)}</span>` +
              `${escapeHtml(item.label)}</div>`,
          )
          .join('') +
        '</div>'
      );
    case 'list':
      return (
        `<ul class="list">` +
        block.items.map((item) => `<li${toneClass(block.tone)}>${escapeHtml(item)}</li>`).join('') +
        '</ul>'
      );
    case 'table':
      return tableHtml(block.columns, block.rows);
    case 'chart':
      return chartSvg(block, id);
    case 'note':
      return `<p class="note${block.tone === 'alert' ? ' alert' : ''}">${escapeHtml(block.text)}</p>`;
  }
}

/** summary.html for `report`, as UTF-8 bytes. */
export function summaryHtml(report: Report): Uint8Array {
  const sections = report.sections
    .map(
      (section) =>
        `<section aria-labelledby="${section.id}">\n<h2 id="${section.id}">${escapeHtml(section.title)}</h2>\n` +
        section.blocks.map((block, i) => blockHtml(block, `${section.id}-${i}`)).join('\n') +
        '\n</section>',
    )
    .join('\n');
  const html = `<!DOCTYPE html>
<html lang="${escapeHtml(report.language)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<p class="confidential" role="note">${escapeHtml(report.confidential)}</p>
<h1>${escapeHtml(report.title)}</h1>
<p class="intro">${escapeHtml(report.intro)}</p>
${sections}
<footer>${escapeHtml(report.footer)}</footer>
</body>
</html>
`;
  return new TextEncoder().encode(html);
}
