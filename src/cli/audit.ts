import type { Config } from '../config/load.ts';
import { recentAudit } from '../storage/audit-repo.ts';
import { localTime, withHotline } from './operator.ts';

/** `nonmerci audit`: the latest operator actions, newest first. */
export async function runAudit(
  config: Config,
  limit: number,
  print: (line: string) => void,
): Promise<number> {
  return withHotline(config, async (h) => {
    const entries = await recentAudit(h.storage.db, limit);
    if (entries.length === 0) print('No operator action recorded yet.');
    for (const e of entries)
      print(
        `${localTime(e.at, config.timeZone)}  ${e.actor}  ${e.action}${e.target ? ` ${e.target}` : ''}${e.detail ? `  ${JSON.stringify(e.detail)}` : ''}`,
      );
    return 0;
  });
}
