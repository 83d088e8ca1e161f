import type { Logger } from 'pino';
import { BUDGET_THRESHOLDS } from '../alerts/events.ts';
import type { Alerts } from '../alerts/alerts.ts';
import type { Config } from '../config/load.ts';
import type { Clock } from '../domain/clock.ts';
import { Metrics } from '../observability/metrics.ts';
import { smsCost } from '../policy/cost.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { Storage } from '../storage/db.ts';
import { DeliveryRepo } from '../storage/delivery-repo.ts';
import { LinesRepo } from '../storage/lines-repo.ts';
import { RulesRepo } from '../storage/rules-repo.ts';
import { SettingsRepo } from '../storage/settings-repo.ts';
import { ShieldRepo } from '../storage/shield-repo.ts';
import { SimOutboxRepo } from '../storage/sim-outbox-repo.ts';
import { StatsRepo } from '../storage/stats-repo.ts';
import { VoiceRecordingsRepo } from '../storage/voice-recordings-repo.ts';
import type { TelephonyProvider } from '../telephony/provider.ts';
import { createProviders } from '../telephony/registry.ts';
import { simulatorSigningKey } from '../telephony/simulator/simulator.ts';
import { CallerMemory } from './caller-memory.ts';
import { DeliveryService } from './delivery.ts';
import { LineDirectory } from './line-directory.ts';
import { RuleCache } from './rule-cache.ts';
import { ShieldMonitor } from './shield-monitor.ts';
import { TariffSettings, type Tariff } from './tariff.ts';

/**
 * The lines and the operators' rules, with the in-memory copies the webhooks answer from: every
 * change written through these repositories reaches the copies at once (other processes' changes
 * within their stated staleness).
 */
export function wireLinesAndRules(storage: Storage, clock: Clock) {
  const directory = new LineDirectory(() => lines.list());
  const lineChanged = () => directory.invalidate();
  const lines = new LinesRepo(storage.db, lineChanged);
  const shield = new ShieldRepo(storage.db, lineChanged);
  const voice = new VoiceRecordingsRepo(storage.db, lineChanged);
  const standing = new CallerMemory({ loadBlocked: () => rules.blockedIndexes() });
  const rules = new RulesRepo(storage.db, () => {
    ruleCache.invalidate();
    standing.invalidate();
  });
  const ruleCache = new RuleCache(() => rules.list(), clock);
  return { lines, shield, voice, directory, standing, rules, ruleCache };
}

/**
 * What money is counted with: spending figures, the tariff and caps (settings over .env), metrics;
 * and the settings saved from the dashboard they live in.
 */
export function wireMoney(config: Config, storage: Storage, clock: Clock) {
  const stats = new StatsRepo(storage.db);
  const settings = new SettingsRepo(storage.db);
  const tariff = new TariffSettings(
    settings,
    {
      segmentPriceMicros: config.segmentPriceMicros,
      dailyMicros: config.budget.dailyMicros,
      monthlyMicros: config.budget.monthlyMicros,
      alertThresholds: [...BUDGET_THRESHOLDS],
    },
    clock,
  );
  const currentTariff = () => tariff.current();
  const metrics = new Metrics(stats, clock, config, currentTariff);
  return { stats, tariff, currentTariff, metrics, settings };
}

/**
 * The providers (or the ones a test passes), the simulator's outbox, and the service that records
 * delivery receipts; the simulator reports its deliveries straight to it.
 */
export function wireTelephony(
  config: Config,
  deps: {
    storage: Storage;
    vault: NumberVault;
    clock: Clock;
    log: Logger;
    providers?: Map<string, TelephonyProvider> | undefined;
  },
) {
  const { storage, clock } = deps;
  const simOutbox = new SimOutboxRepo(storage.db, deps.vault);
  const delivery = new DeliveryService(
    new DeliveryRepo(storage.db, storage.caps),
    deps.log,
    config.currency,
  );
  const providers: ReadonlyMap<string, TelephonyProvider> =
    deps.providers ??
    createProviders(config, {
      simulator: {
        signingKey: simulatorSigningKey(config.secret),
        outbox: simOutbox,
        segmentPriceMicros: config.segmentPriceMicros,
        countSegments: (body) => smsCost(body, 0).segments,
        now: () => clock.now(),
        onDelivered: (status): Promise<void> =>
          delivery.record(providers.get('simulator')!, status).then(() => undefined),
      },
    });
  return { providers, simOutbox, delivery };
}

/** The shield: watches each line's traffic and spending, and wakes up during floods. */
export function wireShield(
  config: Config,
  deps: {
    lines: LinesRepo;
    shield: ShieldRepo;
    stats: StatsRepo;
    alerts: Alerts;
    clock: Clock;
    log: Logger;
    currentTariff: () => Promise<Tariff>;
  },
): ShieldMonitor {
  return new ShieldMonitor({
    lines: deps.lines,
    shield: deps.shield,
    spend: async (kind, key) => {
      const s = await deps.stats.spend(kind, key);
      return s.committedMicros + s.reservedMicros;
    },
    alerts: deps.alerts,
    clock: deps.clock,
    log: deps.log,
    settings: config.shield,
    budget: { timeZone: config.timeZone, currency: config.currency },
    tariff: deps.currentTariff,
  });
}
