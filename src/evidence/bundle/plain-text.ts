/**
 * A tiny plain-text layout for the README: paragraphs wrapped at 80 columns, indented commands kept
 * as they are, and term/definition lists with a hanging indent. Plain text because the reader may
 * only have Notepad.
 */

export type Piece =
  | string
  | { heading: string }
  | { code: string[] }
  | { term: string; text: string }
  | { bullet: string };

export const WIDTH = 80;

/** Breaks `text` into lines of at most `width` columns, never splitting a word. */
export function wrap(text: string, width: number, indent = '', firstIndent = indent): string[] {
  const lines: string[] = [];
  let line = firstIndent;
  let lineHasWord = false;
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const candidate = lineHasWord ? `${line} ${word}` : `${line}${word}`;
    if ([...candidate].length > width && lineHasWord) {
      lines.push(line);
      line = indent + word;
    } else {
      line = candidate;
    }
    lineHasWord = true;
  }
  if (lineHasWord) lines.push(line);
  return lines;
}

const TERM_WIDTH = 16;

/** The pieces as text, one blank line between pieces, ending with a line break. */
export function render(pieces: readonly Piece[]): string {
  const out: string[] = [];
  let afterTerm = false;
  for (const piece of pieces) {
    const isTerm = typeof piece !== 'string' && 'term' in piece;
    if (afterTerm && !isTerm) out.push('');
    afterTerm = isTerm;
    if (typeof piece === 'string') {
      out.push(...wrap(piece, WIDTH), '');
    } else if ('heading' in piece) {
      out.push(piece.heading, '-'.repeat([...piece.heading].length), '');
    } else if ('code' in piece) {
      out.push(...piece.code.map((line) => `    ${line}`), '');
    } else if ('bullet' in piece) {
      out.push(...wrap(piece.bullet, WIDTH, '   ', ' - '), '');
    } else {
      const indent = ' '.repeat(TERM_WIDTH + 2);
      const first = `  ${piece.term.padEnd(TERM_WIDTH)}`;
      out.push(...wrap(piece.text, WIDTH, indent, first));
    }
  }
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}
