import { zipSync } from 'fflate';
import type { Zippable } from 'fflate';
import { wallClock } from './times.ts';

/**
 * A ZIP whose bytes depend only on its files and `mtime`. ZIP stores a DOS date-time with no time
 * zone, which fflate reads from a Date's local fields, i.e. the server's zone: we give it the wall
 * clock of `timeZone` instead, so the archive shows the hotline's local time on every machine and
 * the bytes never depend on where it was built. The exact instant also goes in an "extended
 * timestamp" field (UTC seconds), which unzip and 7-Zip prefer when present.
 */
export function deterministicZip(
  folder: string,
  files: readonly { name: string; data: Uint8Array }[],
  mtime: number,
  timeZone: string,
): Uint8Array {
  const w = wallClock(mtime, timeZone);
  const dosTime = new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const extended = new Uint8Array(5);
  extended[0] = 1; // flags: modification time present
  new DataView(extended.buffer).setUint32(1, Math.floor(mtime / 1000), true);
  const entries: Zippable = {};
  for (const file of files) {
    // The PDF is already compressed inside; deflating it again only costs time.
    const level = file.name.endsWith('.pdf') ? 0 : 9;
    entries[`${folder}/${file.name}`] = [
      file.data,
      { mtime: dosTime, level, extra: { 0x5455: extended } },
    ];
  }
  return zipSync(entries, { mtime: dosTime });
}
