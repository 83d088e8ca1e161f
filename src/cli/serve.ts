import { ARRIVALS, providerLabel, webhookAddresses } from '../telephony/endpoints.ts';
import type { Config } from '../config/load.ts';
import { ConfigError } from '../domain/errors.ts';
import { formatDuration } from '../domain/duration.ts';
import { formatMoney } from '../domain/types.ts';
import { firstRunSetupCode } from '../accounts/accounts.ts';
import { assemble, DEMO_LINE_NUMBER } from '../main.ts';
import { createLogger } from '../observability/logger.ts';
import { IntakeLogRepo } from '../storage/intake-log-repo.ts';
import { localServerUrl } from './contact.ts';

export type Role = 'all' | 'web' | 'worker';

/** How often records past RETENTION are erased. */
const RETENTION_EVERY_MS = 3_600_000;

/** How often new entries of the evidence journal are linked to the hash chain. */
const EVIDENCE_LINK_MS = 1000;

/** How often a processor looks for events that another process appended to the intake log. */
const INTAKE_POLL_MS = 100;

/** How often the shield looks at each line's traffic and at the budget. */
const SHIELD_CHECK_MS = 10_000;

type Print = (line: string) => void;

/** Runs the server until SIGINT/SIGTERM; resolves once it is listening and working. */
export async function runServe(
  config: Config,
  role: Role,
  print: Print,
): Promise<() => Promise<void>> {
  const log = createLogger(config.logLevel);
  // A worker only sends: the line is the web process's to create and update.
  const hotline = await assemble(config, { log, lines: role === 'worker' ? 'leave' : 'ensure' });
  if (hotline.lineNotice) log.warn(hotline.lineNotice);
  if (role !== 'all' && !hotline.storage.caps.multiProcess) {
    await hotline.close();
    throw new ConfigError(
      'DATABASE_URL',
      `--role ${role} runs web and worker in separate processes, which needs PostgreSQL (postgres://…); with SQLite run "serve" with the default role "all"`,
    );
  }
  if (config.secretGeneratedAt) {
    print(`⚠  No NONMERCI_SECRET was set: a new one was generated in ${config.secretGeneratedAt}.`);
    print('   It encrypts the stored phone numbers: back it up, or they become unreadable.');
  }
  if (role !== 'worker') {
    await hotline.app().listen({ port: config.port, host: config.host });
  }
  if (role === 'web') hotline.processor.leaveToOthers();
  else {
    // Events appended by this process wake the processor at once; the poll finds the others'.
    const retried = await new IntakeLogRepo(
      hotline.storage.db,
      hotline.storage.caps,
    ).retrySetAside();
    if (retried > 0)
      log.warn({ events: retried }, 'trying again the events of the intake log set aside earlier');
    hotline.processor.start(INTAKE_POLL_MS);
    hotline.worker.start();
    hotline.shieldMonitor.start(SHIELD_CHECK_MS);
    hotline.sequencer.start(EVIDENCE_LINK_MS);
    hotline.retentionJob.start(RETENTION_EVERY_MS);
    void hotline.retentionJob.run();
  }

  const lines = await hotline.lines.list();
  print(`nonmerci is running (${role}) on ${hotline.storage.describe}`);
  if (role !== 'worker') {
    const wildcard = config.host === '0.0.0.0' || config.host === '::';
    // A wildcard address is where the server listens, not an address to open: no URL is printed for it.
    print(
      `  listening on ${wildcard ? `every interface (${config.host}), port ${config.port}` : `${config.host}:${config.port}`}   health: /healthz   metrics: /metrics`,
    );
    const dashboardUrl = localServerUrl(config);
    const remote = !/^https?:\/\/(localhost|127\.[\d.]+|\[::1\])(:\d+)?$/.test(config.publicUrl);
    if (await hotline.accounts.setupNeeded()) {
      print(
        `  dashboard: ${dashboardUrl}/  (first visit on this machine: create the administrator account there)`,
      );
      if (remote)
        print(
          `  from another machine, open ${config.publicUrl}/#setup=${firstRunSetupCode(config.secret)} to create it (the code works until the first account exists)`,
        );
    } else {
      print(`  dashboard: ${dashboardUrl}/${remote ? `  or ${config.publicUrl}/` : ''}`);
    }
    if (wildcard && !remote)
      print(
        '  ⚠  To open the dashboard from another machine, set PUBLIC_URL to the address you will type there (e.g. http://192.168.1.20:3000): the server answers only to the names it knows.',
      );
  }
  const tariff = await hotline.tariff.current();
  print(
    `  budget: ${formatMoney(tariff.dailyMicros, config.currency)} a day, ${formatMoney(tariff.monthlyMicros, config.currency)} a month, ${formatMoney(tariff.segmentPriceMicros, config.currency)} per SMS segment${(await hotline.tariff.source()) === 'dashboard' ? ' (set in the dashboard)' : ''}`,
  );
  for (const line of lines) {
    print(
      `  line ${line.number} (${line.provider}, ${line.language}): replies after ${formatDuration(line.delayMs)}${line.paused ? ', PAUSED' : ''}`,
    );
    if (line.provider !== 'simulator') {
      const addresses = webhookAddresses(config.publicUrl, line.provider);
      print(
        `    addresses to give ${providerLabel(line.provider)} (see the Lines page of the dashboard):`,
      );
      for (const a of addresses) print(`      ${ARRIVALS[a.purpose].padEnd(26)} ${a.url}`);
      if (/\/\/(127\.|localhost|\[::1\])/.test(config.publicUrl))
        print(
          `    ⚠  PUBLIC_URL is a local address: ${providerLabel(line.provider)} cannot reach it. Set PUBLIC_URL to your public https address.`,
        );
    }
  }
  for (const provider of ['twilio', 'telnyx', 'vonage'] as const) {
    if (config[provider] && !lines.some((l) => l.provider === provider))
      print(
        `  ⚠  ${providerLabel(provider)} credentials are set but no line uses ${providerLabel(provider)}: set HOTLINE_NUMBER to your ${providerLabel(provider)} number${provider === config.hotline.provider ? '' : ` and HOTLINE_PROVIDER=${provider}`}.`,
      );
  }
  if (
    hotline.defaultLine?.number === DEMO_LINE_NUMBER &&
    hotline.defaultLine.provider === 'simulator'
  ) {
    print('');
    print(
      'Demo mode: the simulated phone network is on, nothing is sent for real. In another terminal, try:',
    );
    print('  npx nonmerci call --from +33639980012');
    print('  npx nonmerci text --from +33639980013 --body "Salut, tu fais quoi ce soir ?"');
    if (role !== 'worker') print("or use the pretend phone on the dashboard's Simulator page.");
  }

  let closing: Promise<void> | null = null;
  const shutdown = () => {
    closing ??= hotline.close();
    return closing;
  };
  const onSignal = () => {
    print('Stopping: finishing the reply in progress…');
    void shutdown().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return shutdown;
}
