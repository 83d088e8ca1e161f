import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { printable } from './display.ts';
import type { Column, Tone } from './report.ts';

/**
 * A thin layer over pdfkit that places blocks one under the other on A4 pages and starts a new page
 * before anything that would not fit, so no row or heading is ever cut across a page break. pdfkit
 * can flow long text by itself, but not keep table rows whole or repeat a table's header.
 */

const require = createRequire(import.meta.url);

/** DejaVu covers Latin with every accent, Greek, Cyrillic, Arabic and Hebrew letters; not emoji. */
const FONTS = {
  body: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  mono: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf'),
};

export type FontName = keyof typeof FONTS;

export const COLOURS = {
  text: '#1a1a1a',
  muted: '#555555',
  rule: '#999999',
  border: '#bbbbbb',
  headerFill: '#eeeeee',
  grid: '#dddddd',
  alert: '#a40000',
};

const MARGIN = { top: 56, bottom: 60, left: 50, right: 50 };
const CELL_PAD = { x: 4, y: 3 };
const TABLE_SIZE = 8.5;

/** Longest text put in one table cell: a row must fit on a page. The full text is in events.csv. */
const MAX_CELL_CHARS = 1500;

export function fontFor(tone: Tone | undefined): FontName {
  return tone === 'mono' ? 'mono' : tone === 'alert' ? 'bold' : 'body';
}

export class PdfWriter {
  readonly doc: PDFKit.PDFDocument;

  constructor(info: {
    title: string;
    subject: string;
    author: string;
    createdAt: number;
    language: string;
  }) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: MARGIN,
      bufferPages: true,
      lang: info.language,
      displayTitle: true,
      info: {
        Title: info.title,
        Subject: info.subject,
        Author: info.author,
        Creator: info.author,
        // pdfkit derives the file /ID from the info dictionary, so a fixed date gives fixed bytes.
        CreationDate: new Date(info.createdAt),
      },
    });
    for (const [name, path] of Object.entries(FONTS)) this.doc.registerFont(name, path);
    this.doc.font('body').fontSize(10).fillColor(COLOURS.text);
  }

  get left(): number {
    return MARGIN.left;
  }

  get width(): number {
    return this.doc.page.width - MARGIN.left - MARGIN.right;
  }

  private get bottom(): number {
    return this.doc.page.height - MARGIN.bottom;
  }

  /** Starts a new page unless `height` points fit below the current position. */
  ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom) this.newPage();
  }

  newPage(): void {
    this.doc.addPage();
    this.doc.y = MARGIN.top;
  }

  gap(points: number): void {
    this.doc.y += points;
  }

  measure(text: string, font: FontName, size: number, width: number): number {
    return this.doc.font(font).fontSize(size).heightOfString(text, { width });
  }

  /** Writes `text` across the content width (or `width` from `x`), moving the position below it. */
  text(
    text: string,
    options: {
      font?: FontName;
      size?: number;
      colour?: string;
      x?: number;
      width?: number;
      align?: 'left' | 'right' | 'center';
    } = {},
  ): void {
    const {
      font = 'body',
      size = 10,
      colour = COLOURS.text,
      x = this.left,
      width = this.width,
    } = options;
    this.ensureSpace(this.measure(text, font, size, width));
    const y = this.doc.y;
    this.doc.font(font).fontSize(size).fillColor(colour);
    this.doc.text(text, x, y, { width, align: options.align ?? 'left' });
    this.doc.x = this.left;
  }

  /** A section title with a rule, kept on the same page as at least `keepWith` points after it. */
  heading(title: string, keepWith = 60): void {
    const height = this.measure(title, 'bold', 13, this.width);
    this.ensureSpace(height + 8 + keepWith);
    this.gap(6);
    this.text(title, { font: 'bold', size: 13 });
    const y = this.doc.y + 2;
    this.doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .lineWidth(0.7)
      .strokeColor(COLOURS.rule)
      .stroke();
    this.doc.y = y + 8;
  }

  /** A table whose rows never split; the header row is repeated at the top of every page. */
  table(columns: readonly Column[], rows: readonly string[][]): void {
    const total = columns.reduce((sum, c) => sum + c.weight, 0);
    const widths = columns.map((c) => (c.weight / total) * this.width);
    const header = columns.map((c) => c.title);
    const drawHeader = (): void => this.row(columns, widths, header, true);
    const headerHeight = this.rowHeight(columns, widths, header, true);
    const firstHeight = rows[0] ? this.rowHeight(columns, widths, rows[0], false) : 0;
    this.ensureSpace(headerHeight + firstHeight);
    drawHeader();
    for (const row of rows) {
      const height = this.rowHeight(columns, widths, row, false);
      if (this.doc.y + height > this.bottom) {
        this.newPage();
        drawHeader();
      }
      this.row(columns, widths, row, false);
    }
    this.gap(6);
  }

  private cellFont(column: Column | undefined, header: boolean): FontName {
    return header ? 'bold' : fontFor(column?.tone);
  }

  private rowHeight(
    columns: readonly Column[],
    widths: number[],
    cells: readonly string[],
    header: boolean,
  ): number {
    let height = 0;
    cells.forEach((cell, i) => {
      const inner = (widths[i] ?? 0) - 2 * CELL_PAD.x;
      const font = this.cellFont(columns[i], header);
      height = Math.max(height, this.measure(clip(cell), font, TABLE_SIZE, inner));
    });
    return height + 2 * CELL_PAD.y;
  }

  private row(
    columns: readonly Column[],
    widths: number[],
    cells: readonly string[],
    header: boolean,
  ): void {
    const height = this.rowHeight(columns, widths, cells, header);
    const top = this.doc.y;
    let x = this.left;
    cells.forEach((cell, i) => {
      const width = widths[i] ?? 0;
      const column = columns[i];
      this.doc.lineWidth(0.5).strokeColor(COLOURS.border);
      if (header)
        this.doc.rect(x, top, width, height).fillAndStroke(COLOURS.headerFill, COLOURS.border);
      else this.doc.rect(x, top, width, height).stroke();
      this.doc
        .font(this.cellFont(column, header))
        .fontSize(TABLE_SIZE)
        .fillColor(column?.tone === 'alert' && !header ? COLOURS.alert : COLOURS.text)
        .text(clip(cell), x + CELL_PAD.x, top + CELL_PAD.y, {
          width: width - 2 * CELL_PAD.x,
          align: column?.align ?? 'left',
        });
      x += width;
    });
    this.doc.x = this.left;
    this.doc.y = top + height;
  }

  /**
   * Writes the confidentiality line at the top and "Page n of N" at the bottom of every page, once
   * all pages exist.
   */
  decoratePages(top: string, footer: string, page: (n: number, total: number) => string): void {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      // Writing inside the margins would otherwise make pdfkit open yet another page.
      const margins = this.doc.page.margins;
      this.doc.page.margins = { ...margins, top: 0, bottom: 0 };
      const y = this.doc.page.height - MARGIN.bottom + 24;
      this.doc
        .font('bold')
        .fontSize(8)
        .fillColor(COLOURS.alert)
        .text(top, this.left, 26, { width: this.width, align: 'center', lineBreak: false });
      this.doc
        .font('body')
        .fontSize(8)
        .fillColor(COLOURS.muted)
        .text(footer, this.left, y, { width: this.width * 0.7, lineBreak: false });
      this.doc.text(page(i - range.start + 1, range.count), this.left + this.width * 0.7, y, {
        width: this.width * 0.3,
        align: 'right',
        lineBreak: false,
      });
      this.doc.page.margins = margins;
    }
  }

  /** Ends the document and resolves with its bytes. */
  finish(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    return new Promise((resolve, reject) => {
      this.doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
      this.doc.on('end', () => resolve(Buffer.concat(chunks)));
      this.doc.on('error', reject);
      this.doc.end();
    });
  }
}

function clip(text: string): string {
  const shown = printable(text);
  return shown.length > MAX_CELL_CHARS ? `${shown.slice(0, MAX_CELL_CHARS)} […]` : shown;
}
