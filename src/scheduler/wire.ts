import type { Logger } from 'pino';
import type { Alerts } from '../alerts/alerts.ts';
import type { Config } from '../config/load.ts';
import type { Clock } from '../domain/clock.ts';
import type { RuleCache } from '../hotline/rule-cache.ts';
import type { ShieldMonitor } from '../hotline/shield-monitor.ts';
import type { Tariff } from '../hotline/tariff.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { Storage } from '../storage/db.ts';
import { RepliesRepo } from '../storage/replies-repo.ts';
import type { TelephonyProvider } from '../telephony/provider.ts';
import { Worker } from './worker.ts';

/** How a test may change the worker's pace. */
export interface WorkerTuning {
  pollMs?: number;
  batchSize?: number;
  leaseMs?: number;
}

/**
 * The worker that sends the replies when they fall due, deciding each one at send time with the
 * rules, the shield's usual traffic and the tariff; provider failures raise an alert.
 */
export function wireWorker(
  config: Config,
  deps: {
    storage: Storage;
    providers: ReadonlyMap<string, TelephonyProvider>;
    vault: NumberVault;
    clock: Clock;
    log: Logger;
    currentTariff: () => Promise<Tariff>;
    ruleCache: RuleCache;
    shieldMonitor: ShieldMonitor;
    metrics: Metrics;
    alerts: Alerts;
  },
  tuning: WorkerTuning = {},
): Worker {
  const { storage, clock, log, alerts } = deps;
  const leaseMs = tuning.leaseMs ?? config.workerLeaseMs;
  return new Worker(
    {
      store: new RepliesRepo(storage.db, storage.caps),
      providers: deps.providers,
      vault: deps.vault,
      clock,
      log,
      tariff: deps.currentTariff,
      settings: {
        timeZone: config.timeZone,
        publicUrl: config.publicUrl,
        maxAttempts: 8,
        holdRecheckMs: 60_000,
        budgetRecheckMs: 10 * 60_000,
        leaseMs,
        pacingFloorPerHour: config.shield.pacingFloorPerHour,
        repeatLimit: config.shield.repeatLimit,
      },
      rules: () => deps.ruleCache.get(),
      usualCallersPerHour: (now) => deps.shieldMonitor.usualCallersPerHour(now),
      onDecision: (reason) => deps.metrics.decisions.inc({ reason }),
      onProviderError: (provider, detail) => {
        alerts
          .raise({ kind: 'provider_error', provider, at: clock.now(), detail })
          .catch((error: unknown) => log.error({ err: error }, 'could not raise an alert'));
      },
    },
    {
      pollMs: tuning.pollMs ?? config.workerPollMs,
      batchSize: tuning.batchSize ?? 50,
      leaseMs,
    },
  );
}
