import type { Config } from '../config/load.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { openStorage } from '../storage/db.ts';
import { LinesRepo } from '../storage/lines-repo.ts';
import { pickLines } from './operator.ts';

/**
 * The kill switch: stops all sending on a line at once (pending replies are kept) or resumes it.
 * Takes effect immediately on every running process, which read the line at each decision.
 */
export async function runPause(
  config: Config,
  cmd: { paused: boolean; line: string | null; rejectCalls: boolean; actor: string },
  print: (line: string) => void,
): Promise<number> {
  const storage = openStorage(config.database);
  try {
    const repo = new LinesRepo(storage.db);
    const targets = pickLines(await repo.list(), cmd.line);
    if (targets.length === 0) throw new InvalidInputError('There is no line yet.');
    for (const line of targets) {
      const now = Date.now();
      await repo.setPaused(line.id, cmd.paused, now, {
        rejectCalls: cmd.rejectCalls,
        actor: cmd.actor,
      });
      if (!cmd.paused) print(`▶  ${line.number} resumed: held replies go out now.`);
      else
        print(
          `⏸  ${line.number} paused: nothing is sent; replies are kept. Calls ${cmd.rejectCalls ? 'are rejected (free)' : 'hear a short "service paused" message'}.`,
        );
    }
    return 0;
  } finally {
    await storage.close();
  }
}
