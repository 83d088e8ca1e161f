import { writeFile } from 'node:fs/promises';
import type { Config } from '../config/load.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { parseLocalTime } from '../domain/local-time.ts';
import { LANGUAGES, type Language } from '../domain/types.ts';
import type { Verdict } from '../evidence/verify.ts';
import { localTime, pickLines, withHotline } from './operator.ts';

export interface EvidenceCommand {
  action: string | null;
  arg: string | null;
  from: string | null;
  to: string | null;
  line: string | null;
  out: string | null;
  note: string | null;
  language: string | null;
  actor: string;
}

/**
 * `nonmerci evidence verify|export|hold|holds|release`: checks the hash chain of everything
 * recorded, exports a period as a bundle for the authorities, and keeps periods as evidence.
 */
export async function runEvidence(
  config: Config,
  cmd: EvidenceCommand,
  print: (line: string) => void,
): Promise<number> {
  switch (cmd.action) {
    case 'verify':
      return withHotline(config, async (h) => {
        const verdict = await h.evidence.verify();
        for (const line of describeVerdict(verdict)) print(line);
        return verdict.intact ? 0 : 1;
      });
    case 'export':
      return exportBundle(config, cmd, print);
    case 'hold':
      return withHotline(config, async (h) => {
        const { from, to } = period(cmd, config.timeZone);
        const [line] = cmd.line ? pickLines(await h.lines.list(), cmd.line) : [null];
        const id = await h.holds.hold({
          kind: 'flagged',
          from,
          to,
          lineId: line?.id ?? null,
          note: cmd.note,
          actor: cmd.actor,
          now: h.clock.now(),
        });
        print(
          `Hold ${id}: ${describePeriod(from, to, config.timeZone)}${line ? ` on ${line.number}` : ''} is kept as evidence until an admin releases it ("nonmerci evidence release ${id}").`,
        );
        return 0;
      });
    case 'holds':
      return withHotline(config, async (h) => {
        const holds = await h.holds.active();
        if (holds.length === 0) print('No period is held as evidence.');
        for (const hold of holds)
          print(
            `${hold.id}  ${hold.kind === 'exported' ? 'exported' : 'flagged '}  ${describePeriod(hold.from, hold.to, config.timeZone)}  ${hold.lineNumber ?? 'all lines'}  by ${hold.createdBy}${hold.note ? `  — ${hold.note}` : ''}`,
          );
        return 0;
      });
    case 'release':
      return withHotline(config, async (h) => {
        const id = Number(cmd.arg);
        if (!Number.isInteger(id) || id < 1)
          throw new InvalidInputError(
            'Say which hold to release: "nonmerci evidence release ID" (see "nonmerci evidence holds").',
          );
        await h.holds.release(id, cmd.actor, h.clock.now());
        print(`Hold ${id} released: retention may now erase ordinary records of that period.`);
        return 0;
      });
    default:
      throw new InvalidInputError(
        `Unknown action "${cmd.action ?? ''}": use verify, export, hold, holds or release ("nonmerci help evidence").`,
      );
  }
}

async function exportBundle(
  config: Config,
  cmd: EvidenceCommand,
  print: (line: string) => void,
): Promise<number> {
  if (!cmd.out) throw new InvalidInputError('Say where to write the bundle: --out raid.zip');
  const { from, to } = period(cmd, config.timeZone);
  if (cmd.language !== null && !(LANGUAGES as readonly string[]).includes(cmd.language))
    throw new InvalidInputError(`--language must be ${LANGUAGES.join(' or ')}.`);
  return withHotline(config, async (h) => {
    const [line] = cmd.line ? pickLines(await h.lines.list(), cmd.line) : [null];
    const result = await h.evidence.export({
      from,
      to,
      lineId: line?.id ?? null,
      actor: cmd.actor,
      ...(cmd.language ? { language: cmd.language as Language } : {}),
    });
    // Personal data for the authorities: readable by its owner only.
    await writeFile(cmd.out!, result.zip, { mode: 0o600 });
    print(
      `Wrote ${cmd.out} (${result.events} events, ${describePeriod(from, to, config.timeZone)}${line ? `, line ${line.number}` : ', all lines'}).`,
    );
    print(`Manifest SHA-256: ${result.manifestSha256} (recorded in the audit log).`);
    for (const l of describeVerdict(result.verdict)) print(l);
    print(
      'It holds full phone numbers and texts: hand it over securely. The period is now kept as evidence.',
    );
    return 0;
  });
}

function period(cmd: EvidenceCommand, timeZone: string): { from: number; to: number } {
  if (!cmd.from || !cmd.to)
    throw new InvalidInputError(
      'Give the period with --from and --to, e.g. --from 2026-11-01T16:00 --to 2026-11-01T22:00 (local time) or with Z for UTC.',
    );
  const from = parseLocalTime(cmd.from, timeZone);
  const to = parseLocalTime(cmd.to, timeZone);
  if (from === null || to === null)
    throw new InvalidInputError(
      `"${from === null ? cmd.from : cmd.to}" is not a date and time; write it like 2026-11-01T16:00 (local time, ${timeZone}) or 2026-11-01T15:00Z (UTC).`,
    );
  if (to <= from) throw new InvalidInputError('--to must come after --from.');
  return { from, to };
}

function describePeriod(from: number, to: number, timeZone: string): string {
  return `${localTime(from, timeZone)} → ${localTime(to, timeZone)} (${timeZone}; ${new Date(from).toISOString()} → ${new Date(to).toISOString()})`;
}

/** What `evidence verify` prints: the chain is intact, or the entry that breaks it. */
export function describeVerdict(v: Verdict): string[] {
  if (!v.intact)
    return [
      `✗ The evidence chain is BROKEN at entry #${v.seq}: ${v.message}.`,
      '  Records were changed or removed outside nonmerci. Keep a copy of the database as it is, and of your earlier bundles, before anything else.',
    ];
  if (v.count === 0) return ['✓ The evidence chain is empty: nothing has been recorded yet.'];
  return [
    `✓ The evidence chain is intact: ${v.count} entries, head #${v.headSeq} ${v.head}.`,
    `  ${v.headsChecked} signed heads checked${v.erased > 0 ? `; ${v.erased} entries erased by retention (their hashes still link)` : ''}${v.pending > 0 ? `; ${v.pending} recent entries not linked yet` : ''}.`,
  ];
}
