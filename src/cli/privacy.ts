import { chmod, writeFile } from 'node:fs/promises';
import type { Config } from '../config/load.ts';
import { formatDuration } from '../domain/duration.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { maskNumber } from '../domain/phone.ts';
import type { RetentionRun } from '../privacy/retention.ts';
import type { SubjectEraseResult } from '../privacy/subject.ts';
import { localTime, withHotline } from './operator.ts';

export interface PrivacyCommand {
  action: string | null;
  number: string | null;
  out: string | null;
  dryRun: boolean;
  actor: string;
}

const ACTIONS = ['export', 'erase', 'retention'];

/**
 * `nonmerci privacy export|erase|retention`: answers a person's request for their data (export)
 * or its erasure (all but what is kept as evidence), and runs retention once. Audited.
 */
export async function runPrivacy(
  config: Config,
  cmd: PrivacyCommand,
  print: (line: string) => void,
): Promise<number> {
  if (!ACTIONS.includes(cmd.action ?? ''))
    throw new InvalidInputError(
      `Unknown action "${cmd.action ?? ''}": use export, erase or retention ("nonmerci help privacy").`,
    );
  if (cmd.action !== 'retention' && !cmd.number)
    throw new InvalidInputError(
      `Say whose data: "nonmerci privacy ${cmd.action} NUMBER", e.g. 06 12 34 56 78 or +33612345678.`,
    );
  return withHotline(config, async (h) => {
    const { retention, subjects } = h;
    if (cmd.action === 'retention') {
      describeRun(
        await retention.run({ dryRun: cmd.dryRun }),
        retention.retentionMs,
        config,
        print,
      );
      return 0;
    }
    if (cmd.action === 'erase') {
      describeErasure(await subjects.erase(cmd.number!, cmd.actor), print);
      return 0;
    }
    const doc = await subjects.export(cmd.number!, cmd.actor);
    const json = `${JSON.stringify(doc, null, 2)}\n`;
    if (!cmd.out) {
      process.stdout.write(json);
      return 0;
    }
    // Personal data: readable by the admin only, even when the file existed before.
    await writeFile(cmd.out, json, { mode: 0o600 });
    await chmod(cmd.out, 0o600);
    const masked = maskNumber(doc.number);
    print(
      doc.found
        ? `✓ Everything held about ${masked} written to ${cmd.out} (readable by you only). It contains personal data in clear: hand it to the person over a safe channel, then delete your copy.`
        : `Nothing is held about ${masked}; ${cmd.out} says so.`,
    );
    return 0;
  });
}

function describeRun(
  run: RetentionRun,
  retentionMs: number,
  config: Config,
  print: (line: string) => void,
): void {
  print(
    `Retention: contacts and texts of ordinary callers are erased after ${formatDuration(retentionMs)} (RETENTION); evidence is kept until an admin releases it.`,
  );
  const total = run.contacts + run.replies + run.callers + run.messages;
  const since = localTime(run.cutoff, config.timeZone);
  if (total === 0) {
    print(`Nothing is due: no ordinary record from before ${since} is left.`);
    return;
  }
  const what = [
    count(run.contacts, 'contact'),
    count(run.replies, 'reply', 'replies'),
    count(run.callers, 'caller record'),
    count(run.messages, 'simulator message'),
  ].join(', ');
  const journal = count(run.journalEntries, 'journal entry', 'journal entries');
  print(
    run.dryRun
      ? `Dry run: would erase ${what} (contacts received before ${since}) and empty ${journal}, whose hashes would stay in the chain. Nothing was erased.`
      : `✓ Erased ${what} (contacts received before ${since}); ${journal} emptied, their hashes stay in the chain.`,
  );
}

function describeErasure(r: SubjectEraseResult, print: (line: string) => void): void {
  if (!r.found) {
    print(`Nothing is held about ${r.number}; nothing to erase.`);
    return;
  }
  const e = r.erased;
  print(
    `✓ Erased for ${r.number}: ${count(e.contacts, 'contact')}, ${count(e.replies, 'reply', 'replies')}, ${count(e.messages, 'simulator message')}; ${count(e.journalEntries, 'journal entry', 'journal entries')} emptied (their hashes stay in the chain).`,
  );
  print(
    r.callerRow === 'erased'
      ? 'The caller record is erased: the hotline no longer knows this number.'
      : 'The caller record is kept (see below).',
  );
  if (r.keptBecause.length === 0) return;
  print(
    `Kept: ${count(r.kept.contacts, 'contact')}, ${count(r.kept.journalEntries, 'journal entry', 'journal entries')}, because:`,
  );
  for (const why of r.keptBecause) print(`  - ${why}`);
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
