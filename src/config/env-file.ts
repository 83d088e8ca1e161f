import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Edits a .env file the way an operator would: a variable's line is changed where it is, a
 * commented-out template line from .env.example (`# PUBLIC_URL=https://…`) becomes the real one,
 * and only variables found nowhere are added at the end. Comments, blank lines, order, line endings
 * (LF or CRLF) and a byte-order mark are kept. Values are quoted so that Node's .env reader
 * (util.parseEnv, used by bin/nonmerci.js) reads back exactly the value written.
 */
export interface EnvChange {
  name: string;
  /** The line (or lines, for a multi-line value) before; null when the variable is added. */
  before: string | null;
  after: string;
  kind: 'unchanged' | 'replaced' | 'uncommented' | 'added';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Values written without quotes: nothing the reader would trim, cut at # or unquote. */
const PLAIN = /^[A-Za-z0-9_.,:/+@%=~-]*$/;

/** `value` as the right-hand side of a .env line. */
export function formatEnvValue(value: string): string {
  if (/[\r\n\0]/.test(value))
    throw new Error('a value on several lines cannot be written to .env here');
  if (PLAIN.test(value)) return value;
  // Single quotes keep everything as written; double quotes would turn "\n" into a line break.
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"') && !value.includes('\\n')) return `"${value}"`;
  if (!value.includes('`')) return `\`${value}\``;
  throw new Error('a value holding all three kinds of quotes cannot be written to .env');
}

interface Assignment {
  name: string;
  /** First and last line (inclusive) of the assignment: a quoted value may span lines. */
  start: number;
  end: number;
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/** The assignments of a .env body, each with the lines it spans (as util.parseEnv reads them). */
function assignments(lines: string[]): Assignment[] {
  const found: Assignment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = ASSIGNMENT.exec(lines[i]!.replace(/\r$/, ''));
    if (!match) continue;
    const [, name, value] = match as unknown as [string, string, string];
    let end = i;
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !value.slice(1).includes(quote)) {
      // An unclosed quote runs to the next line holding the same quote, if there is one.
      const close = lines.findIndex((line, j) => j > i && line.includes(quote));
      if (close !== -1) end = close;
    }
    found.push({ name, start: i, end });
    i = end;
  }
  return found;
}

/** A commented-out `# NAME=…` line (as in .env.example) outside any value, or -1. */
function templateLine(lines: string[], name: string, taken: Set<number>): number {
  const pattern = new RegExp(`^\\s*#+\\s*(?:export\\s+)?${name}\\s*=`);
  return lines.findIndex((line, i) => !taken.has(i) && pattern.test(line));
}

/** The new text and, per variable, what changes. Pure: see writeEnvFile for the file. */
export function planEnvUpdate(
  text: string,
  values: Record<string, string>,
): { text: string; changes: EnvChange[] } {
  for (const name of Object.keys(values))
    if (!NAME.test(name)) throw new Error(`"${name}" is not a variable name`);
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = text.slice(bom.length);
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const lines = body === '' ? [] : body.split('\n');
  const found = assignments(lines);
  const inValues = new Set(found.flatMap((a) => range(a.start + 1, a.end)));
  // Replacements by first line; the other lines of a replaced multi-line value are dropped.
  const replace = new Map<number, string>();
  const drop = new Set<number>();
  const appended: string[] = [];
  const changes: EnvChange[] = [];
  for (const [name, value] of Object.entries(values)) {
    const line = `${name}=${formatEnvValue(value)}`;
    const own = found.filter((a) => a.name === name);
    if (own.length > 0) {
      // Every assignment is rewritten: the reader keeps the last one, a person reads the first.
      const before = own.map((a) => lines.slice(a.start, a.end + 1).join('\n')).join('\n');
      let changed = false;
      for (const a of own) {
        const current = lines.slice(a.start, a.end + 1).join('\n');
        if (parseEnv(current)[name] === value) continue;
        changed = true;
        const prefix = /^\s*export\s/.test(current) ? 'export ' : '';
        replace.set(a.start, `${prefix}${line}${lines[a.end]!.endsWith('\r') ? '\r' : ''}`);
        for (const i of range(a.start + 1, a.end)) drop.add(i);
      }
      changes.push({
        name,
        before: before.replace(/\r/g, ''),
        after: line,
        kind: changed ? 'replaced' : 'unchanged',
      });
      continue;
    }
    const template = templateLine(lines, name, new Set([...inValues, ...replace.keys()]));
    if (template !== -1) {
      const cr = lines[template]!.endsWith('\r') ? '\r' : '';
      changes.push({
        name,
        before: lines[template]!.replace(/\r$/, ''),
        after: line,
        kind: 'uncommented',
      });
      replace.set(template, `${line}${cr}`);
      continue;
    }
    appended.push(line);
    changes.push({ name, before: null, after: line, kind: 'added' });
  }
  const kept = lines
    .map((line, i) => replace.get(i) ?? line)
    .filter((_, i) => !drop.has(i))
    .join('\n');
  let result = kept;
  if (appended.length > 0) {
    const separator = result === '' || result.endsWith('\n') ? '' : eol;
    result = `${result}${separator}${appended.map((l) => `${l}${eol}`).join('')}`;
  }
  return { text: `${bom}${result}`, changes };
}

/** `text` with `values` set (see planEnvUpdate). */
export function updateEnvText(text: string, values: Record<string, string>): string {
  return planEnvUpdate(text, values).text;
}

/**
 * Sets `values` in the .env file at `path` (created if missing), atomically: the new text goes to a
 * temporary file beside it, readable by the owner only, which then replaces the old one. The file is
 * left at mode 0600 even if it was readable by others: it holds the Twilio auth token. A symbolic
 * link is followed, and its target replaced.
 */
export function writeEnvFile(path: string, values: Record<string, string>): EnvChange[] {
  let target = path;
  let text = '';
  try {
    target = realpathSync(path);
    text = readFileSync(target, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const plan = planEnvUpdate(text, values);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, plan.text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, 0o600);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return plan.changes;
}

/** The integers from `from` to `to`, inclusive (none when `to` < `from`). */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, k) => from + k);
}
