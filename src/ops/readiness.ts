import type { Config } from '../config/load.ts';
import type { Storage } from '../storage/db.ts';
import { knownMigrations, pendingMigrations } from '../storage/migrate.ts';
import type { Tariff } from '../hotline/tariff.ts';
import {
  capsCheck,
  databaseCheck,
  diskCheck,
  migrationsCheck,
  timeZoneCheck,
  type Check,
} from './checks.ts';

/**
 * What GET /readyz reports: the checks that need no provider call, cached for 2 s so that probes
 * cost the database little. The backup's age is left to `nonmerci doctor`: an old backup is a
 * reason to act, not to stop taking calls.
 */
export function readiness(
  config: Config,
  deps: { storage: Storage; ping: () => Promise<unknown>; tariff: () => Promise<Tariff> },
): () => Promise<Check[]> {
  const { storage } = deps;
  let cached: { at: number; checks: Promise<Check[]> } | null = null;
  const run = async (): Promise<Check[]> => {
    const database = await deps.ping().then(
      () => null,
      (error: unknown) => error,
    );
    const checks = [databaseCheck(storage.describe, database)];
    if (database === null)
      checks.push(
        migrationsCheck(await pendingMigrations(storage), knownMigrations(storage).length),
        capsCheck(await deps.tariff(), config.currency),
      );
    checks.push(
      timeZoneCheck(config.timeZone),
      diskCheck(config.database.kind === 'sqlite' ? config.dataDir : '.'),
    );
    return checks;
  };
  return () => {
    const now = performance.now();
    if (!cached || now - cached.at > 2000) cached = { at: now, checks: run() };
    return cached.checks;
  };
}
