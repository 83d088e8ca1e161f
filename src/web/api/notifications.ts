import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../accounts/accounts.ts';
import {
  ALERT_KINDS,
  DESTINATION_KINDS,
  destinationSink,
  destinationView,
  type Destination,
  type DestinationInput,
} from '../../alerts/destinations.ts';
import { formatAlert, parseAlertEvent, type AlertKind } from '../../alerts/events.ts';
import { errorMessage } from '../../alerts/sinks.ts';
import { InvalidInputError } from '../../domain/errors.ts';
import type {
  AlertHistoryRow,
  DestinationRow,
  DestinationTestResult,
  Notifications,
} from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { jsonBody, oneOf, text } from './input.ts';
import { actorOf } from './session.ts';

const HISTORY = 100;

/** The language the dashboard asked in (its Accept-Language), for alert titles. */
function languageOf(request: FastifyRequest): 'fr' | 'en' {
  return /^en\b/i.test(request.headers['accept-language'] ?? '') ? 'en' : 'fr';
}

function events(body: Record<string, unknown>, optional: boolean): AlertKind[] | undefined {
  const raw = body.events;
  if (raw === undefined && optional) return undefined;
  if (!Array.isArray(raw) || !raw.every((k) => ALERT_KINDS.includes(k as AlertKind)))
    throw new InvalidInputError(`"events" must list some of: ${ALERT_KINDS.join(', ')}.`, {
      field: 'events',
    });
  return [...new Set(raw as AlertKind[])];
}

/** Alert destinations managed in the dashboard, the settings' ones read-only, and the history. */
export function notificationsApi(deps: ApiDeps) {
  const idOf = (request: FastifyRequest): string => (request.params as { id: string }).id;
  const storedId = (id: string): number | null =>
    /^d\d{1,9}$/.test(id) ? Number(id.slice(1)) : null;

  async function find(id: string): Promise<Destination> {
    const n = storedId(id);
    const found =
      n === null ? undefined : (await deps.notifications.list()).find((d) => d.id === n);
    if (!found) throw new NotFoundError('No such alert destination.');
    return found;
  }

  return {
    get: async (request: FastifyRequest): Promise<Notifications> => {
      const language = languageOf(request);
      const [stored, recent] = await Promise.all([
        deps.notifications.list(),
        deps.alerts.recent(HISTORY),
      ]);
      const history: AlertHistoryRow[] = recent.map((a) => {
        const event = parseAlertEvent(a.payload);
        return {
          id: a.id,
          kind: a.kind,
          subject: event ? formatAlert(event, language, deps.settings.timeZone).subject : a.kind,
          at: a.createdAt,
          status: a.status,
          attempts: a.attempts,
          deliveredTo: a.deliveredTo,
          lastError: a.lastError,
          deliveredAt: a.deliveredAt,
        };
      });
      return {
        destinations: [
          ...deps.settingsDestinations.map((d) => d.view),
          ...stored.map(destinationView),
        ] as DestinationRow[],
        history,
      };
    },

    create: async (request: FastifyRequest): Promise<DestinationRow> => {
      const body = jsonBody(request);
      const kind = oneOf(body, 'kind', DESTINATION_KINDS)!;
      const label = text(body, 'label', { max: 80 }).trim();
      if (!label) throw new InvalidInputError('Give the destination a name.', { field: 'label' });
      const common = { label, events: events(body, false)! };
      let input: DestinationInput;
      if (kind === 'webhook')
        input = { ...common, kind, url: text(body, 'url', { max: 2000 }).trim() };
      else if (kind === 'email') {
        const to = body.to;
        if (!Array.isArray(to) || to.length === 0 || !to.every((a) => typeof a === 'string'))
          throw new InvalidInputError('"to" must list the addresses to alert.', { field: 'to' });
        input = {
          ...common,
          kind,
          smtpUrl: text(body, 'smtpUrl', { max: 2000 }).trim(),
          from: text(body, 'from', { max: 200 }).trim(),
          to: to.map((a) => a.trim()).filter(Boolean),
        };
      } else
        input = {
          ...common,
          kind,
          server: text(body, 'server', { max: 2000 }).trim(),
          topic: text(body, 'topic', { max: 64 }).trim(),
          token: (text(body, 'token', { max: 200, optional: true }) ?? '').trim() || null,
        };
      // Built once to check it, as it will be at each alert: a bad address is refused now.
      destinationSink({ ...input, id: 0, createdAt: 0, createdBy: '' });
      const added = await deps.notifications.add(input, actorOf(request), deps.clock.now());
      return destinationView(added) as DestinationRow;
    },

    update: async (request: FastifyRequest): Promise<DestinationRow> => {
      const found = await find(idOf(request));
      const body = jsonBody(request);
      const label = text(body, 'label', { max: 80, optional: true })?.trim();
      if (label === '')
        throw new InvalidInputError('Give the destination a name.', { field: 'label' });
      const updated = await deps.notifications.update(
        found.id,
        {
          ...(label ? { label } : {}),
          ...(body.events !== undefined ? { events: events(body, true)! } : {}),
        },
        actorOf(request),
        deps.clock.now(),
      );
      if (!updated) throw new NotFoundError('No such alert destination.');
      return destinationView(updated) as DestinationRow;
    },

    remove: async (request: FastifyRequest, reply: FastifyReply) => {
      const found = await find(idOf(request));
      await deps.notifications.remove(found.id, actorOf(request), deps.clock.now());
      return reply.status(204).send();
    },

    test: async (request: FastifyRequest): Promise<DestinationTestResult> => {
      const id = idOf(request);
      const fromSettings = deps.settingsDestinations.find((d) => d.view.id === id);
      const sink = fromSettings ? fromSettings.sink : destinationSink(await find(id));
      try {
        await deps.alerts.test(sink, languageOf(request));
        return { delivered: true, error: null };
      } catch (error) {
        return { delivered: false, error: errorMessage(error) };
      }
    },
  };
}
