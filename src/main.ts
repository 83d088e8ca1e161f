import type { Logger } from 'pino';
import type { Config } from './config/load.ts';
import { ConfigError } from './domain/errors.ts';
import { DEFAULT_REPLY_DELAY_MS, DEMO_REPLY_DELAY_MS } from './config/load.ts';
import { systemClock, type Clock } from './domain/clock.ts';
import { DEFAULT_TEXTS } from './domain/messages.ts';
import type { Line } from './domain/types.ts';
import { DeliveryService } from './hotline/delivery.ts';
import type { Intake } from './hotline/intake.ts';
import type { IntakeProcessor } from './hotline/processor.ts';
import { wireIntake, type IntakeParts } from './intake/wire.ts';
import { Metrics } from './observability/metrics.ts';
import { smsCost } from './policy/cost.ts';
import { deriveKey, KEY_RELOAD_MS, NumberVault } from './privacy/number-vault.ts';
import { NumberKeysRepo } from './storage/number-keys-repo.ts';
import { Worker } from './scheduler/worker.ts';
import { openStorage, type Storage } from './storage/db.ts';
import { DeliveryRepo } from './storage/delivery-repo.ts';
import { EvidenceService } from './evidence/exporter.ts';
import { Retention } from './privacy/retention.ts';
import { SubjectRights } from './privacy/subject.ts';
import { PrivacyRepo } from './storage/privacy-repo.ts';
import { EvidenceHoldsRepo } from './storage/evidence-holds-repo.ts';
import { EvidenceRepo } from './storage/evidence-repo.ts';
import { Periodic } from './hotline/periodic.ts';
import { LinesRepo } from './storage/lines-repo.ts';
import { knownMigrations, migrateToLatest, pendingMigrations } from './storage/migrate.ts';
import { assertSameSecret } from './storage/secret-check.ts';
import { RepliesRepo } from './storage/replies-repo.ts';
import { SimOutboxRepo } from './storage/sim-outbox-repo.ts';
import { StatsRepo } from './storage/stats-repo.ts';
import { createProviders } from './telephony/registry.ts';
import { simulatorSigningKey } from './telephony/simulator/simulator.ts';
import type { TelephonyProvider } from './telephony/provider.ts';
import { buildApp } from './web/app.ts';
import {
  capsCheck,
  databaseCheck,
  diskCheck,
  migrationsCheck,
  timeZoneCheck,
  type Check,
} from './ops/checks.ts';
import { KnownDevices } from './web/api/device.ts';
import { Alerts } from './alerts/alerts.ts';
import { createSinks } from './alerts/from-config.ts';
import { RuleCache } from './hotline/rule-cache.ts';
import { ShieldMonitor } from './hotline/shield-monitor.ts';
import { lexiconClassifier } from './policy/text/classifier.ts';
import { AlertsRepo } from './storage/alerts-repo.ts';
import { RulesRepo } from './storage/rules-repo.ts';
import { ShieldRepo } from './storage/shield-repo.ts';
import type { FastifyInstance } from 'fastify';
import { BUDGET_THRESHOLDS } from './alerts/events.ts';
import { TariffSettings } from './hotline/tariff.ts';
import { SettingsRepo } from './storage/settings-repo.ts';
import { fileURLToPath } from 'node:url';
import { Accounts, firstRunSetupCode } from './accounts/accounts.ts';
import { recentAudit } from './storage/audit-repo.ts';
import { ContactsRepo } from './storage/contacts-repo.ts';
import { DashboardRepo } from './storage/dashboard-repo.ts';
import { ReplyLookupRepo } from './storage/reply-lookup-repo.ts';
import { UsersRepo } from './storage/users-repo.ts';
import { VoiceRecordingsRepo } from './storage/voice-recordings-repo.ts';
import type { ApiDeps } from './web/api/deps.ts';

/** A line number no subscriber holds (ARCEP fiction range), used for the demo line on the simulator. */
export const DEMO_LINE_NUMBER = '+33199000000';

export interface Hotline {
  config: Config;
  storage: Storage;
  clock: Clock;
  log: Logger;
  vault: NumberVault;
  lines: LinesRepo;
  providers: ReadonlyMap<string, TelephonyProvider>;
  simOutbox: SimOutboxRepo;
  intake: Intake;
  /** Records the events of the intake log (contacts, replies, evidence) and tells subscribers. */
  processor: IntakeProcessor;
  delivery: DeliveryService;
  metrics: Metrics;
  worker: Worker;
  /** Operator rules and per-number lists (audited). */
  rules: RulesRepo;
  ruleCache: RuleCache;
  shield: ShieldRepo;
  shieldMonitor: ShieldMonitor;
  alerts: Alerts;
  stats: StatsRepo;
  accounts: Accounts;
  tariff: TariffSettings;
  /** The hash-chained journal of everything recorded. */
  journal: EvidenceRepo;
  /** Verifies the journal and exports evidence bundles. */
  evidence: EvidenceService;
  /** Periods kept as evidence until an admin releases them. */
  holds: EvidenceHoldsRepo;
  /** Erases what is past RETENTION and not kept as evidence. */
  retention: Retention;
  /** A person's rights: export or erase everything held about a number. */
  subjects: SubjectRights;
  /** Runs retention every hour (started with the worker). */
  retentionJob: Periodic;
  /** Links new journal entries to the chain every second (started with the worker). */
  sequencer: Periodic;
  /**
   * The line of HOTLINE_NUMBER (or the demo line): created or updated at start by a process that
   * ensures it (`serve`), only read by the others; null when none is stored yet.
   */
  defaultLine: Line | null;
  /**
   * Set when this process's settings disagree with the stored line and left it alone (a command
   * run without the server's TWILIO_* settings, say): says what differs, for the operator.
   */
  lineNotice: string | null;
  app(): FastifyInstance;
  close(): Promise<void>;
}

export interface AssembleOptions {
  clock?: Clock;
  log: Logger;
  /** Replace provider adapters (tests), keyed by name. */
  providers?: Map<string, TelephonyProvider>;
  worker?: { pollMs?: number; batchSize?: number; leaseMs?: number };
  /** The built dashboard to serve; defaults to dashboard/dist beside the sources. */
  dashboardDir?: string | null;
  /**
   * `ensure`: create or update the line of HOTLINE_NUMBER from the settings (only `serve` and the
   * replay do). `leave` (the default): never write a line, only read it; every other command, and
   * a worker, must not switch a live line to the settings of the shell it was started from.
   */
  lines?: 'ensure' | 'leave';
  /**
   * How long sign-in limits count attempts (a minute). Tests lengthen it, so that a slow machine
   * cannot let a window pass in the middle of the attempts they count.
   */
  limitWindowMs?: number;
}

export const DASHBOARD_DIR = fileURLToPath(new URL('../dashboard/dist', import.meta.url));

/** The composition root: config → storage → services → web and worker. */
export async function assemble(config: Config, options: AssembleOptions): Promise<Hotline> {
  const clock = options.clock ?? systemClock;
  const log = options.log;
  const storage = openStorage(config.database);
  const vault = new NumberVault(config.secret, { keys: new NumberKeysRepo(storage.db), clock });
  try {
    await migrateToLatest(storage);
    await assertSameSecret(storage.db, vault);
    await vault.reload();
  } catch (error) {
    await storage.close();
    throw error;
  }
  // Every process learns new number key versions (`nonmerci secret rotate`) within KEY_RELOAD_MS.
  const keyReload = new Periodic('reloading the number keys', () => vault.reload(), log);
  keyReload.start(KEY_RELOAD_MS);
  // The webhook answers from lines held in memory: every change made here reaches them at once.
  let intakeParts: IntakeParts | null = null;
  const lineChanged = () => intakeParts?.lineDirectory.invalidate();
  const lines = new LinesRepo(storage.db, lineChanged);
  const simOutbox = new SimOutboxRepo(storage.db, vault);
  const delivery = new DeliveryService(new DeliveryRepo(storage.db, storage.caps), log);
  const providers: ReadonlyMap<string, TelephonyProvider> =
    options.providers ??
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
  const stats = new StatsRepo(storage.db);
  const tariff = new TariffSettings(
    new SettingsRepo(storage.db),
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
  const { line: defaultLine, notice: lineNotice } =
    options.lines === 'ensure'
      ? { line: await ensureDefaultLine(config, lines, clock.now()), notice: null }
      : await readDefaultLine(config, lines);
  const rules = new RulesRepo(storage.db, () => {
    ruleCache.invalidate();
    intakeParts?.standing.invalidate();
  });
  const ruleCache = new RuleCache(() => rules.list(), clock);
  intakeParts = wireIntake({
    storage,
    vault,
    clock,
    log,
    lines,
    blockedIndexes: () => rules.blockedIndexes(),
    rules: () => ruleCache.get(),
    classifier: lexiconClassifier,
    replyExpiryMs: config.replyExpiryMs,
  });
  const { intake, processor } = intakeParts;
  // A text labelled threat: operators are alerted at once.
  processor.subscribe((event) => {
    if (event.duplicate || !event.labels.includes('threat')) return;
    alerts
      .raise({
        kind: 'threat',
        line: event.line,
        at: event.at,
        contactId: event.contactId,
        callerId: event.callerId,
        raid: event.raid,
      })
      .catch((error: unknown) => log.error({ err: error }, 'could not raise an alert'));
  });
  const alerts = new Alerts({
    store: new AlertsRepo(storage.db, storage.caps),
    sinks: alertSinks(config),
    clock,
    log,
    language: config.hotline.language,
    timeZone: config.timeZone,
  });
  const shield = new ShieldRepo(storage.db, lineChanged);
  const shieldMonitor = new ShieldMonitor({
    lines,
    shield,
    spend: async (kind, key) => {
      const s = await stats.spend(kind, key);
      return s.committedMicros + s.reservedMicros;
    },
    alerts,
    clock,
    log,
    settings: config.shield,
    budget: { timeZone: config.timeZone, currency: config.currency },
    tariff: currentTariff,
  });
  const leaseMs = options.worker?.leaseMs ?? config.workerLeaseMs;
  const worker = new Worker(
    {
      store: new RepliesRepo(storage.db, storage.caps),
      providers,
      vault,
      clock,
      log,
      tariff: currentTariff,
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
      rules: () => ruleCache.get(),
      usualCallersPerHour: (now) => shieldMonitor.usualCallersPerHour(now),
      onDecision: (reason) => metrics.decisions.inc({ reason }),
      onProviderError: (provider, detail) => {
        alerts
          .raise({ kind: 'provider_error', provider, at: clock.now(), detail })
          .catch((error: unknown) => log.error({ err: error }, 'could not raise an alert'));
      },
    },
    {
      pollMs: options.worker?.pollMs ?? config.workerPollMs,
      batchSize: options.worker?.batchSize ?? 50,
      leaseMs,
    },
  );
  const headKey = deriveKey(config.secret, 'evidence-chain-heads-v1');
  const journal = new EvidenceRepo(storage.db, storage.caps, headKey);
  const sequencer = new Periodic(
    'linking the evidence chain',
    () => journal.seal(clock.now()),
    log,
  );
  const holds = new EvidenceHoldsRepo(storage.db);
  const evidence = new EvidenceService({
    journal,
    holds,
    vault,
    clock,
    headKey,
    lines: () => lines.list(),
    shieldPeriods: (lineId, from, to) => shield.periods(lineId, from, to),
    tariff: currentTariff,
    settings: {
      timeZone: config.timeZone,
      currency: config.currency,
      language: config.hotline.language,
    },
  });
  const privacyStore = new PrivacyRepo(storage.db, storage.caps);
  const retention = new Retention({
    store: privacyStore,
    clock,
    retentionMs: config.retentionMs,
    vault,
    log,
  });
  const subjects = new SubjectRights({
    store: privacyStore,
    vault,
    clock,
    retentionMs: config.retentionMs,
  });
  const retentionJob = new Periodic(
    'erasing expired records (retention)',
    () => retention.run(),
    log,
  );
  const accounts = new Accounts(new UsersRepo(storage.db), clock);
  if (config.adminPassword) {
    try {
      if (await accounts.ensureAdmin(config.adminPassword))
        log.info('dashboard user "admin" created from ADMIN_PASSWORD');
    } catch (error) {
      await keyReload.stop();
      await storage.close();
      throw new ConfigError('ADMIN_PASSWORD', (error as Error).message);
    }
  }
  const api: ApiDeps = {
    accounts,
    clock,
    vault,
    lines,
    shield,
    rules,
    contacts: new ContactsRepo(storage.db),
    dashboard: new DashboardRepo(storage.db),
    stats,
    tariff,
    intake,
    simOutbox,
    replyLookup: new ReplyLookupRepo(storage.db),
    voice: new VoiceRecordingsRepo(storage.db, lineChanged),
    evidence,
    holds,
    subjects,
    devices: new KnownDevices(config.publicUrl, deriveKey(config.secret, 'known-devices-v1')),
    privacyStatus: () => retention.status(),
    applyShield: (line) => shieldMonitor.checkLine(line, clock.now()),
    audit: (before, limit) => recentAudit(storage.db, limit, before),
    settings: {
      publicUrl: config.publicUrl,
      currency: config.currency,
      timeZone: config.timeZone,
      setupCode: firstRunSetupCode(config.secret),
    },
  };
  // What GET /readyz reports: the checks that need no provider call, cached for 2 s so that probes
  // cost the database little. The backup's age is left to `nonmerci doctor`: an old backup is a
  // reason to act, not to stop taking calls.
  let readyCache: { at: number; checks: Promise<Check[]> } | null = null;
  const readiness = (): Promise<Check[]> => {
    const now = performance.now();
    if (!readyCache || now - readyCache.at > 2000)
      readyCache = {
        at: now,
        checks: (async () => {
          const database = await stats.ping().then(
            () => null,
            (error: unknown) => error,
          );
          const checks = [databaseCheck(storage.describe, database)];
          if (database === null)
            checks.push(
              migrationsCheck(await pendingMigrations(storage), knownMigrations(storage).length),
              capsCheck(await tariff.current(), config.currency),
            );
          checks.push(
            timeZoneCheck(config.timeZone),
            diskCheck(config.database.kind === 'sqlite' ? config.dataDir : '.'),
          );
          return checks;
        })(),
      };
    return readyCache.checks;
  };
  let app: FastifyInstance | null = null;
  return {
    config,
    storage,
    clock,
    log,
    vault,
    lines,
    providers,
    simOutbox,
    intake,
    processor,
    delivery,
    metrics,
    worker,
    rules,
    ruleCache,
    shield,
    shieldMonitor,
    alerts,
    stats,
    accounts,
    tariff,
    journal,
    evidence,
    holds,
    retention,
    subjects,
    retentionJob,
    sequencer,
    defaultLine,
    lineNotice,
    app() {
      app ??= buildApp({
        log,
        api,
        dashboardDir: options.dashboardDir === undefined ? DASHBOARD_DIR : options.dashboardDir,
        limitWindowMs: options.limitWindowMs ?? 60_000,
        providers,
        intake,
        delivery,
        metrics,
        publicUrl: config.publicUrl,
        metricsToken: config.metricsToken,
        trustProxy: config.trustProxy,
        listenHost: config.host,
        health: () => stats.ping().then(() => true),
        ready: () => readiness(),
        renderMetrics: async () => ({
          contentType: metrics.registry.contentType,
          body: await metrics.registry.metrics(),
        }),
      });
      return app;
    },
    async close() {
      await processor.stop();
      await worker.stop();
      await shieldMonitor.stop();
      await sequencer.stop();
      await retentionJob.stop();
      await keyReload.stop();
      // Link what this process recorded, so nothing waits unchained for the next start.
      await journal.seal(clock.now()).catch(() => undefined);
      if (app) await app.close();
      await storage.close();
    },
  };
}

/**
 * The stored line of HOTLINE_NUMBER (or the demo line), read and never changed, and what this
 * process's settings would have changed in it, for the operator to see.
 */
export async function readDefaultLine(
  config: Config,
  lines: LinesRepo,
): Promise<{ line: Line | null; notice: string | null }> {
  const number = config.hotline.number ?? DEMO_LINE_NUMBER;
  const line = await lines.findByNumber(number);
  if (!line) return { line: null, notice: null };
  const provider = config.hotline.number !== null && config.twilio ? 'twilio' : 'simulator';
  if (line.provider === provider) return { line, notice: null };
  return {
    line,
    notice:
      `Line ${line.number} uses ${line.provider}, but this command runs with the settings of ` +
      `${provider === 'simulator' ? 'the simulator (no TWILIO_* settings here)' : provider}. ` +
      'The line is left as it is: only "nonmerci serve" changes it, with the server\'s settings.',
  };
}

/**
 * Creates or updates the line named by HOTLINE_NUMBER (Twilio when configured, else the simulator),
 * or the demo line. Texts are written on creation or when the language changes, so edits made
 * later by an operator survive restarts. Once an operator edited the line in the dashboard, its
 * language, texts, delay, cooldown and countries are the dashboard's, whatever the settings say.
 */
export async function ensureDefaultLine(
  config: Config,
  lines: LinesRepo,
  now: number,
): Promise<Line> {
  const demo = config.hotline.number === null;
  const number = config.hotline.number ?? DEMO_LINE_NUMBER;
  const existing = await lines.findByNumber(number);
  if (existing && (await lines.editedInDashboard(number)))
    return lines.upsert(
      { ...existing, provider: !demo && config.twilio ? 'twilio' : 'simulator' },
      now,
    );
  const language = config.hotline.language;
  const texts = DEFAULT_TEXTS[language];
  const keepTexts = existing !== null && existing.language === language;
  return lines.upsert(
    {
      number,
      provider: !demo && config.twilio ? 'twilio' : 'simulator',
      language,
      voiceText: keepTexts ? existing.voiceText : texts.voice,
      voiceAudioUrl: keepTexts ? existing.voiceAudioUrl : null,
      replyText: keepTexts ? existing.replyText : texts.reply,
      delayMs: config.replyDelayMs ?? (demo ? DEMO_REPLY_DELAY_MS : DEFAULT_REPLY_DELAY_MS),
      cooldownMs: config.replyCooldownMs,
      allowedCountries: config.allowedCountries,
      paused: existing?.paused ?? false,
      rejectCallsWhenPaused: existing?.rejectCallsWhenPaused ?? false,
    },
    now,
  );
}

/** The alert sinks the settings ask for; a half-configured one stops the start with its fix. */
function alertSinks(config: Config) {
  try {
    return createSinks(config.alerts);
  } catch (error) {
    throw new ConfigError('alerts', (error as Error).message);
  }
}
