import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import { ConfigError } from '../domain/errors.ts';
import type { Clock } from '../domain/clock.ts';
import type { IntakeProcessor } from '../hotline/processor.ts';
import type { Storage } from '../storage/db.ts';
import { AlertsRepo } from '../storage/alerts-repo.ts';
import { Alerts } from './alerts.ts';
import { createSinks } from './from-config.ts';
import {
  ALERT_KINDS,
  destinationSink,
  type DestinationView,
  type FilteredSink,
} from './destinations.ts';
import type { AlertSink } from './sinks.ts';
import { SecretBox } from '../privacy/secret-box.ts';
import { NotificationsRepo } from '../storage/notifications-repo.ts';

/**
 * The operators' alerts, sent to the destinations the settings name; a text labelled threat raises
 * one as soon as the processor records it. A half-configured destination stops the start with its fix.
 */
export function wireAlerts(
  config: Config,
  deps: { storage: Storage; clock: Clock; log: Logger; processor: IntakeProcessor },
) {
  const { storage, log } = deps;
  let fromSettings: AlertSink[];
  try {
    fromSettings = createSinks(config.alerts);
  } catch (error) {
    throw new ConfigError('alerts', (error as Error).message);
  }
  // Destinations set in the dashboard, read again at most every DESTINATIONS_MS (other processes'
  // changes) and at once after a change made here.
  let cached: { at: number; sinks: Promise<FilteredSink[]> } | null = null;
  const notifications = new NotificationsRepo(
    storage.db,
    new SecretBox(config.secret, 'alert-destinations'),
    () => (cached = null),
  );
  const load = async (): Promise<FilteredSink[]> => {
    const stored = await notifications.list();
    const sinks: FilteredSink[] = [...fromSettings];
    for (const d of stored) {
      try {
        sinks.push(destinationSink(d));
      } catch (error) {
        log.error({ err: error, destination: d.label }, 'an alert destination cannot be used');
      }
    }
    return sinks;
  };
  const sinks = (): Promise<FilteredSink[]> => {
    const now = performance.now();
    if (!cached || now - cached.at > DESTINATIONS_MS) {
      const loading = { at: now, sinks: load() };
      loading.sinks.catch(() => {
        if (cached === loading) cached = null;
      });
      cached = loading;
    }
    return cached.sinks;
  };
  const alerts = new Alerts({
    store: new AlertsRepo(storage.db, storage.caps),
    sinks,
    clock: deps.clock,
    log,
    language: config.hotline.language,
    timeZone: config.timeZone,
  });
  deps.processor.subscribe((event) => {
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
  return {
    alerts,
    notifications,
    /** The destinations of the settings (.env), shown read-only and testable from the dashboard. */
    settingsDestinations: fromSettings.map((sink) => ({ sink, view: settingsView(sink, config) })),
  };
}

const DESTINATIONS_MS = 5_000;

/** A destination of the settings as the dashboard lists it. */
function settingsView(sink: AlertSink, config: Config): DestinationView {
  const email = sink.name === 'email';
  let target = config.alerts.emailTo.join(', ');
  if (!email)
    try {
      target = new URL(config.alerts.webhookUrl ?? '').host;
    } catch {
      target = '?';
    }
  return {
    id: `settings-${sink.name}`,
    kind: email ? 'email' : 'webhook',
    label: email ? 'SMTP_URL / ALERT_EMAIL_TO' : 'ALERT_WEBHOOK_URL',
    target,
    events: [...ALERT_KINDS],
    readOnly: true,
  };
}
