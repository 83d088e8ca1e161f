import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Accounts } from '../accounts/accounts.ts';
import type { Alerts } from '../alerts/alerts.ts';
import type { NotificationsRepo } from '../storage/notifications-repo.ts';
import type { SettingsRepo } from '../storage/settings-repo.ts';
import { firstRunSetupCode } from '../accounts/accounts.ts';
import type { Config } from '../config/load.ts';
import type { Clock } from '../domain/clock.ts';
import type { Line } from '../domain/types.ts';
import type { EvidenceService } from '../evidence/exporter.ts';
import type { DeliveryService } from '../hotline/delivery.ts';
import type { Intake } from '../hotline/intake.ts';
import type { IntakeProcessor } from '../hotline/processor.ts';
import type { TariffSettings } from '../hotline/tariff.ts';
import type { Metrics } from '../observability/metrics.ts';
import { checkLineAtProvider } from '../ops/provider-check.ts';
import { readiness } from '../ops/readiness.ts';
import { deriveKey, type NumberVault } from '../privacy/number-vault.ts';
import type { Retention } from '../privacy/retention.ts';
import type { SubjectRights } from '../privacy/subject.ts';
import { recentAudit } from '../storage/audit-repo.ts';
import { CallersRepo } from '../storage/callers-repo.ts';
import { ContactsRepo } from '../storage/contacts-repo.ts';
import { DashboardRepo } from '../storage/dashboard-repo.ts';
import type { Storage } from '../storage/db.ts';
import type { EvidenceHoldsRepo } from '../storage/evidence-holds-repo.ts';
import type { LinesRepo } from '../storage/lines-repo.ts';
import { RaidRepo } from '../storage/raid-repo.ts';
import { ReplyLookupRepo } from '../storage/reply-lookup-repo.ts';
import type { RulesRepo } from '../storage/rules-repo.ts';
import type { ShieldRepo } from '../storage/shield-repo.ts';
import type { SimOutboxRepo } from '../storage/sim-outbox-repo.ts';
import type { StatsRepo } from '../storage/stats-repo.ts';
import type { VoiceRecordingsRepo } from '../storage/voice-recordings-repo.ts';
import type { TelephonyProvider } from '../telephony/provider.ts';
import { KnownDevices } from './api/device.ts';
import type { ApiDeps } from './api/deps.ts';
import { buildApp } from './app.ts';

/**
 * The HTTP side: the dashboard's API over the services, the webhooks, probes and metrics. The
 * Fastify instance is built on first use, so that commands which never serve pay nothing for it.
 */
export function wireWeb(
  config: Config,
  deps: {
    storage: Storage;
    vault: NumberVault;
    clock: Clock;
    log: Logger;
    accounts: Accounts;
    lines: LinesRepo;
    shield: ShieldRepo;
    voice: VoiceRecordingsRepo;
    rules: RulesRepo;
    stats: StatsRepo;
    tariff: TariffSettings;
    metrics: Metrics;
    intake: Intake;
    processor: IntakeProcessor;
    alerts: Alerts;
    notifications: NotificationsRepo;
    settings: SettingsRepo;
    settingsDestinations: ApiDeps['settingsDestinations'];
    simOutbox: SimOutboxRepo;
    providers: ReadonlyMap<string, TelephonyProvider>;
    delivery: DeliveryService;
    evidence: EvidenceService;
    holds: EvidenceHoldsRepo;
    subjects: SubjectRights;
    retention: Retention;
    applyShield: (line: Line) => Promise<void>;
    dashboardDir: string | null;
    limitWindowMs: number;
  },
): { app(): FastifyInstance; close(): Promise<void> } {
  const { storage, stats, metrics } = deps;
  const api: ApiDeps = {
    accounts: deps.accounts,
    clock: deps.clock,
    vault: deps.vault,
    lines: deps.lines,
    shield: deps.shield,
    rules: deps.rules,
    contacts: new ContactsRepo(storage.db),
    callers: new CallersRepo(storage.db),
    dashboard: new DashboardRepo(storage.db),
    raid: new RaidRepo(storage.db),
    stats,
    tariff: deps.tariff,
    intake: deps.intake,
    simOutbox: deps.simOutbox,
    replyLookup: new ReplyLookupRepo(storage.db),
    voice: deps.voice,
    evidence: deps.evidence,
    holds: deps.holds,
    subjects: deps.subjects,
    devices: new KnownDevices(config.publicUrl, deriveKey(config.secret, 'known-devices-v1')),
    privacyStatus: () => deps.retention.status(),
    applyShield: deps.applyShield,
    providerNames: [...deps.providers.keys()],
    checkLine: (line) => checkLineAtProvider(config, line),
    onContact: (listener) => deps.processor.subscribe(listener),
    alerts: deps.alerts,
    notifications: deps.notifications,
    organisation: {
      get: () => deps.settings.organisation(),
      save: (organisation, actor, now) => deps.settings.saveOrganisation(organisation, actor, now),
    },
    settingsDestinations: deps.settingsDestinations,
    audit: (before, limit) => recentAudit(storage.db, limit, before),
    settings: {
      publicUrl: config.publicUrl,
      currency: config.currency,
      timeZone: config.timeZone,
      replyExpiryMs: config.replyExpiryMs,
      setupCode: firstRunSetupCode(config.secret),
    },
  };
  const ready = readiness(config, {
    storage,
    ping: () => stats.ping(),
    tariff: () => deps.tariff.current(),
  });
  let app: FastifyInstance | null = null;
  return {
    app() {
      app ??= buildApp({
        log: deps.log,
        api,
        dashboardDir: deps.dashboardDir,
        limitWindowMs: deps.limitWindowMs,
        providers: deps.providers,
        intake: deps.intake,
        delivery: deps.delivery,
        metrics,
        publicUrl: config.publicUrl,
        metricsToken: config.metricsToken,
        trustProxy: config.trustProxy,
        listenHost: config.host,
        health: () => stats.ping().then(() => true),
        ready,
        renderMetrics: async () => ({
          contentType: metrics.registry.contentType,
          body: await metrics.registry.metrics(),
        }),
      });
      return app;
    },
    async close() {
      if (app) await app.close();
    },
  };
}
