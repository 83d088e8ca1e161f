import type { Config } from '../config/load.ts';
import { formatDuration } from '../domain/duration.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { SHIELD_MODES, type ShieldMode } from '../domain/types.ts';
import { localTime, targetLines, withHotline } from './operator.ts';

const DAY = 86_400_000;

/**
 * `nonmerci shield [on|off|auto]`: shows each line's shield, or sets its mode. "on" and "off" hold
 * until the operator chooses "auto" again, which gives the decision back to the surge detector.
 */
export async function runShield(
  config: Config,
  cmd: { mode: string | null; line: string | null; actor: string },
  print: (line: string) => void,
): Promise<number> {
  if (cmd.mode !== null && !(SHIELD_MODES as readonly string[]).includes(cmd.mode))
    throw new InvalidInputError(`"${cmd.mode}" is not a shield mode; use on, off or auto.`);
  return withHotline(config, async (h) => {
    const lines = await targetLines(h, cmd.line);
    const now = h.clock.now();
    for (const line of lines) {
      if (cmd.mode !== null) {
        await h.shield.setMode(line.id, cmd.mode as ShieldMode, cmd.actor, now);
        const updated = (await h.lines.findById(line.id))!;
        await h.shieldMonitor.checkLine(updated, now);
      }
      const current = (await h.lines.findById(line.id))!;
      const s = current.shield;
      const state = s.active ? `ON since ${localTime(s.since ?? now, config.timeZone)}` : 'off';
      const mode =
        s.mode === 'auto'
          ? 'automatic (switches on for a fast or a slow raid, off after a quiet period)'
          : `set ${s.mode} by an operator (until "nonmerci shield auto")`;
      print(`🛡  ${current.number}: shield ${state}; mode ${mode}`);
      const periods = await h.shield.periods(line.id, now - DAY, now);
      for (const p of periods)
        print(
          `     ${localTime(p.startedAt, config.timeZone)} → ${p.endedAt ? localTime(p.endedAt, config.timeZone) : 'now'}  (${p.trigger}${p.endedAt ? `, ${formatDuration(p.endedAt - p.startedAt)}` : ''}) ${p.detail ?? ''}`,
        );
    }
    if (cmd.mode === null)
      print(
        `Thresholds: a fast raid is ≥ ${config.shield.surgeContactsPerMinute} contacts or ≥ ${config.shield.surgeNewCallersPerMinute} new numbers in a minute, a slow raid ≥ ${config.shield.slowNewcomers} hostile newcomers in ${formatDuration(config.shield.slowWindowMs)} (or ${config.shield.surgeFactor}× the usual); the shield leaves after ${formatDuration(config.shield.quietMs)} without either.`,
      );
    return 0;
  });
}
