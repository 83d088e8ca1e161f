import { sql } from 'kysely';
import type { Config } from '../config/load.ts';
import {
  backupCheck,
  capsCheck,
  intakeCheck,
  databaseCheck,
  diskCheck,
  fileModesCheck,
  migrationsCheck,
  publicUrlCheck,
  secretCheck,
  timeZoneCheck,
  type Check,
} from '../ops/checks.ts';
import { configuredProviderChecks } from '../ops/provider-check.ts';
import { lastBackup } from '../storage/backup.ts';
import { openStorage } from '../storage/db.ts';
import { knownMigrations, pendingMigrations } from '../storage/migrate.ts';
import { IntakeLogRepo } from '../storage/intake-log-repo.ts';
import { SettingsRepo } from '../storage/settings-repo.ts';

type Print = (line: string) => void;

/**
 * `nonmerci doctor`: every check of a live setup, each ✔ or ✘ with what to do; exit status 1 when
 * one fails. Reads only: it applies no migration and changes no setting, here or at the provider.
 */
export async function runDoctor(
  config: Config,
  options: { json: boolean },
  print: Print,
): Promise<number> {
  const checks = await doctorChecks(config);
  if (options.json) {
    print(JSON.stringify({ checks }, null, 2));
  } else {
    for (const check of checks) {
      print(`${check.ok ? '✔' : '✘'} ${check.message}`);
      if (check.fix) print(`    ${check.ok ? '·' : '→'} ${check.fix}`);
    }
    const failed = checks.filter((c) => !c.ok).length;
    print('');
    print(
      failed === 0
        ? 'All good: the hotline is ready.'
        : `${failed} problem${failed > 1 ? 's' : ''} to fix, from the top; then run "npx nonmerci doctor" again.`,
    );
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}

export async function doctorChecks(config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  const storage = openStorage(config.database);
  try {
    const reachable = await sql`select 1`.execute(storage.db).then(
      () => null,
      (error: unknown) => error,
    );
    checks.push(databaseCheck(storage.describe, reachable));
    if (reachable === null) {
      const pending = await pendingMigrations(storage);
      checks.push(migrationsCheck(pending, knownMigrations(storage).length));
      const upToDate = pending.length === 0;
      const saved = upToDate ? await new SettingsRepo(storage.db).load() : null;
      checks.push(
        capsCheck(
          saved ?? {
            segmentPriceMicros: config.segmentPriceMicros,
            dailyMicros: config.budget.dailyMicros,
            monthlyMicros: config.budget.monthlyMicros,
            alertThresholds: [],
          },
          config.currency,
        ),
      );
      checks.push(backupCheck(upToDate ? await lastBackup(storage.db) : null, Date.now()));
      if (upToDate)
        checks.push(
          intakeCheck(await new IntakeLogRepo(storage.db, storage.caps).backlog(), Date.now()),
        );
    }
  } finally {
    await storage.close();
  }
  checks.push(secretCheck(config), fileModesCheck(config), timeZoneCheck(config.timeZone));
  checks.push(diskCheck(config.database.kind === 'sqlite' ? config.dataDir : '.'));

  if (config.twilio || config.telnyx || config.vonage) {
    checks.push(await publicUrlCheck(config.publicUrl));
    checks.push(...(await configuredProviderChecks(config)));
  } else {
    checks.push({
      id: 'provider',
      ok: true,
      message: 'No telephony provider is set: lines run on the simulated phone network.',
      fix: 'To go live, run "npx nonmerci connect twilio" (or telnyx, or vonage).',
    });
  }
  return checks;
}
