import { userInfo } from 'node:os';
import pino from 'pino';
import type { Config } from '../config/load.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { ACTOR_NAME, checkOperatorText } from '../domain/operator-text.ts';
import { toE164 } from '../domain/phone.ts';
import type { Line } from '../domain/types.ts';
import { assemble, type Hotline } from '../main.ts';

/**
 * Who an operator command is recorded as in the audit log: --by (one line of text, 80 characters at
 * most), or the system user.
 */
export function actorName(by: string | undefined): string {
  if (by?.trim()) return checkOperatorText(by, ACTOR_NAME);
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user entry (some containers): keep "unknown".
  }
  return `${user} (command line)`;
}

/**
 * Opens the hotline without serving, runs `fn`, and closes it. It never creates nor changes a
 * line; when this shell's settings disagree with the stored line, `warn` says so.
 */
export async function withHotline<T>(
  config: Config,
  fn: (h: Hotline) => Promise<T>,
  warn: (message: string) => void = (m) => process.stderr.write(`⚠  ${m}\n`),
): Promise<T> {
  const hotline = await assemble(config, { log: pino({ level: 'silent' }), lines: 'leave' });
  if (hotline.lineNotice) warn(hotline.lineNotice);
  try {
    return await fn(hotline);
  } finally {
    await hotline.close();
  }
}

/** The lines a command targets: the one named by --line, or all. */
export async function targetLines(hotline: Hotline, raw: string | null): Promise<Line[]> {
  return pickLines(await hotline.lines.list(), raw);
}

/** The line named by --line among `lines`, or all of them; an unknown name lists the known ones. */
export function pickLines(lines: Line[], raw: string | null): Line[] {
  if (!raw) return lines;
  const wanted = toE164(raw, 'FR');
  const found = lines.filter((l) => l.number === wanted);
  if (found.length === 0)
    throw new InvalidInputError(
      `No line ${raw}. Lines: ${lines.map((l) => l.number).join(', ') || 'none'}.`,
    );
  return found;
}

/** "2026-11-01 17:05" in the deployment's time zone. */
export function localTime(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(at);
}
