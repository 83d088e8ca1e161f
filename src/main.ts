import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import type { Accounts } from './accounts/accounts.ts';
import { wireAccounts } from './accounts/wire.ts';
import type { Alerts } from './alerts/alerts.ts';
import { wireAlerts } from './alerts/wire.ts';
import type { Config } from './config/load.ts';
import { DEFAULT_REPLY_DELAY_MS, DEMO_REPLY_DELAY_MS } from './config/load.ts';
import { systemClock, type Clock } from './domain/clock.ts';
import { DEFAULT_TEXTS } from './domain/messages.ts';
import type { Line } from './domain/types.ts';
import type { EvidenceService } from './evidence/exporter.ts';
import { wireEvidence } from './evidence/wire.ts';
import type { DeliveryService } from './hotline/delivery.ts';
import type { Intake } from './hotline/intake.ts';
import type { Periodic } from './hotline/periodic.ts';
import type { IntakeProcessor } from './hotline/processor.ts';
import type { RuleCache } from './hotline/rule-cache.ts';
import type { ShieldMonitor } from './hotline/shield-monitor.ts';
import type { TariffSettings } from './hotline/tariff.ts';
import { wireLinesAndRules, wireMoney, wireShield, wireTelephony } from './hotline/wire.ts';
import { wireIntake } from './intake/wire.ts';
import type { Metrics } from './observability/metrics.ts';
import { lexiconClassifier, rememberingClassifier } from './policy/text/classifier.ts';
import type { NumberVault } from './privacy/number-vault.ts';
import type { Retention } from './privacy/retention.ts';
import type { SubjectRights } from './privacy/subject.ts';
import { wirePrivacy } from './privacy/wire.ts';
import type { Worker } from './scheduler/worker.ts';
import { wireWorker, type WorkerTuning } from './scheduler/wire.ts';
import type { Storage } from './storage/db.ts';
import type { EvidenceHoldsRepo } from './storage/evidence-holds-repo.ts';
import type { EvidenceRepo } from './storage/evidence-repo.ts';
import type { LinesRepo } from './storage/lines-repo.ts';
import { openDatabase } from './storage/open.ts';
import type { RulesRepo } from './storage/rules-repo.ts';
import type { ShieldRepo } from './storage/shield-repo.ts';
import type { SimOutboxRepo } from './storage/sim-outbox-repo.ts';
import type { StatsRepo } from './storage/stats-repo.ts';
import type { TelephonyProvider } from './telephony/provider.ts';
import { wireWeb } from './web/wire.ts';

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
  worker?: WorkerTuning;
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

/**
 * The composition root, read top to bottom: config → storage → the hotline's state and money →
 * telephony → intake → alerts, shield, worker → evidence, privacy, accounts → web. Each part is
 * wired by its own module; this function only says what depends on what.
 */
export async function assemble(config: Config, options: AssembleOptions): Promise<Hotline> {
  const clock = options.clock ?? systemClock;
  const log = options.log;
  const { storage, vault } = await openDatabase(config, clock);
  try {
    return await assembleOn(config, options, { storage, vault, clock, log });
  } catch (error) {
    await storage.close();
    throw error;
  }
}

async function assembleOn(
  config: Config,
  options: AssembleOptions,
  base: { storage: Storage; vault: NumberVault; clock: Clock; log: Logger },
): Promise<Hotline> {
  const { storage, clock, log } = base;
  const accounts = await wireAccounts(config, { storage, clock, log });
  const state = wireLinesAndRules(storage, clock);
  const money = wireMoney(config, storage, clock);
  const { line: defaultLine, notice: lineNotice } =
    options.lines === 'ensure'
      ? { line: await ensureDefaultLine(config, state.lines, clock.now()), notice: null }
      : await readDefaultLine(config, state.lines);
  const telephony = wireTelephony(config, { ...base, providers: options.providers });
  const { intake, processor } = wireIntake({
    ...base,
    lineDirectory: state.directory,
    standing: state.standing,
    rules: () => state.ruleCache.get(),
    classifier: rememberingClassifier(lexiconClassifier),
    replyExpiryMs: config.replyExpiryMs,
  });
  const { alerts, notifications, settingsDestinations } = wireAlerts(config, {
    ...base,
    processor,
  });
  const shieldMonitor = wireShield(config, { ...base, ...state, ...money, alerts });
  const worker = wireWorker(
    config,
    { ...base, ...state, ...money, ...telephony, shieldMonitor, alerts },
    options.worker,
  );
  const proof = wireEvidence(config, {
    ...base,
    ...money,
    shield: state.shield,
    lines: state.lines,
    recordPending: () => processor.drain(),
  });
  const privacy = wirePrivacy(config, { ...base, recordPending: () => processor.drain() });
  const web = wireWeb(config, {
    ...base,
    ...state,
    ...money,
    ...telephony,
    ...proof,
    ...privacy,
    accounts,
    intake,
    processor,
    alerts,
    notifications,
    settingsDestinations,
    applyShield: (line) => shieldMonitor.checkLine(line, clock.now()),
    dashboardDir: options.dashboardDir === undefined ? DASHBOARD_DIR : options.dashboardDir,
    limitWindowMs: options.limitWindowMs ?? 60_000,
  });
  privacy.keyReload.start(privacy.reloadEveryMs);
  return {
    config,
    ...base,
    ...state,
    ...money,
    ...telephony,
    ...proof,
    ...privacy,
    intake,
    processor,
    worker,
    shieldMonitor,
    alerts,
    accounts,
    defaultLine,
    lineNotice,
    app: () => web.app(),
    async close() {
      await processor.stop();
      await worker.stop();
      await shieldMonitor.stop();
      await proof.sequencer.stop();
      await privacy.retentionJob.stop();
      await privacy.keyReload.stop();
      // Link what this process recorded, so nothing waits unchained for the next start.
      await proof.journal.seal(clock.now()).catch(() => undefined);
      await web.close();
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
  const provider = config.hotline.number !== null ? config.hotline.provider : 'simulator';
  if (line.provider === provider) return { line, notice: null };
  return {
    line,
    notice:
      `Line ${line.number} uses ${line.provider}, but this command runs with the settings of ` +
      `${provider === 'simulator' ? 'the simulator (no provider credentials here)' : provider}. ` +
      'The line is left as it is: only "nonmerci serve" changes it, with the server\'s settings.',
  };
}

/**
 * Creates or updates the line named by HOTLINE_NUMBER (on HOTLINE_PROVIDER, by default the provider
 * whose credentials are set, else the simulator),
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
      { ...existing, provider: demo ? 'simulator' : config.hotline.provider },
      now,
    );
  const language = config.hotline.language;
  const texts = DEFAULT_TEXTS[language];
  const keepTexts = existing !== null && existing.language === language;
  return lines.upsert(
    {
      number,
      provider: demo ? 'simulator' : config.hotline.provider,
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
