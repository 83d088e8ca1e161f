import { userInfo } from 'node:os';
import pino from 'pino';
import type { Config } from '../config/load.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { toE164 } from '../domain/phone.ts';
import type { Line } from '../domain/types.ts';
import { assemble, type Hotline } from '../main.ts';

/** Who an operator command is recorded as in the audit log: --by, or the system user. */
export function actorName(by: string | undefined): string {
  if (by?.trim()) return by.trim().slice(0, 80);
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user entry (some containers): keep "unknown".
  }
  return `${user} (command line)`;
}

/** Opens the hotline without serving, runs `fn`, and closes it. */
export async function withHotline<T>(config: Config, fn: (h: Hotline) => Promise<T>): Promise<T> {
  const hotline = await assemble(config, { log: pino({ level: 'silent' }) });
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
