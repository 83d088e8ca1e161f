import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import { ConfigError } from '../domain/errors.ts';
import type { Clock } from '../domain/clock.ts';
import type { IntakeProcessor } from '../hotline/processor.ts';
import type { Storage } from '../storage/db.ts';
import { AlertsRepo } from '../storage/alerts-repo.ts';
import { Alerts } from './alerts.ts';
import { createSinks } from './from-config.ts';

/**
 * The operators' alerts, sent to the destinations the settings name; a text labelled threat raises
 * one as soon as the processor records it. A half-configured destination stops the start with its fix.
 */
export function wireAlerts(
  config: Config,
  deps: { storage: Storage; clock: Clock; log: Logger; processor: IntakeProcessor },
): Alerts {
  const { storage, log } = deps;
  let sinks;
  try {
    sinks = createSinks(config.alerts);
  } catch (error) {
    throw new ConfigError('alerts', (error as Error).message);
  }
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
  return alerts;
}
