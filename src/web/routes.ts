import type { FastifyReply, FastifyRequest } from 'fastify';
import { authApi } from './api/auth.ts';
import { budgetApi } from './api/budget.ts';
import { contactsApi } from './api/contacts.ts';
import type { ApiDeps } from './api/deps.ts';
import { linesApi, MAX_AUDIO_BYTES } from './api/lines.ts';
import { overviewApi } from './api/overview.ts';
import { auditApi } from './api/audit.ts';
import { evidenceApi } from './api/evidence.ts';
import { privacyApi } from './api/privacy.ts';
import { rulesApi } from './api/rules.ts';
import { simulatorApi } from './api/simulator.ts';
import { raidApi } from './api/raid.ts';
import { callersApi } from './api/callers.ts';
import { notificationsApi } from './api/notifications.ts';
import type { Check } from '../ops/checks.ts';
import { webhookHandler, type WebhookDeps } from './webhooks.ts';
import { PROVIDER_NAMES, WEBHOOK_ENDPOINTS } from '../telephony/endpoints.ts';

/**
 * Who may call a route:
 * - public: anyone (health check, sign-in, the recording a provider plays);
 * - signed: a telephony provider, proven by the webhook signature checked in the handler;
 * - metrics: loopback, or a bearer METRICS_TOKEN;
 * - session: any signed-in dashboard user;
 * - moderator: a moderator or an admin (overview, contacts, blocklist and rules, pause and shield);
 * - admin: an admin only (lines, their texts and provider webhooks, the SMS price, budget,
 *   simulator, audit log, accounts, evidence bundles and periods held, a person's data).
 * Session routes also check the CSRF token on every state-changing method.
 */
export type Access = 'public' | 'signed' | 'metrics' | 'session' | 'moderator' | 'admin';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  access: Access;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** Requests allowed per minute from one address (and user name, for sign-in). */
  ratePerMinute?: number;
  /** Runs a password hash: also limited per address and across all addresses (see web/app.ts). */
  hashesPassword?: boolean;
  /** Body size limit, when a route takes more than a webhook (an uploaded recording). */
  bodyLimit?: number;
}

export interface RouteDeps extends WebhookDeps {
  health(): Promise<boolean>;
  /** The readiness checks that need no provider call (see ops/checks.ts). */
  ready(): Promise<Check[]>;
  renderMetrics(): Promise<{ contentType: string; body: string }>;
  api: ApiDeps;
}

/**
 * Every route the server answers, in one table, with who may call it. Webhook paths are pasted into
 * provider consoles: keep them stable.
 */
export function routeTable(deps: RouteDeps): Route[] {
  const auth = authApi(deps.api);
  const overview = overviewApi(deps.api);
  const lines = linesApi(deps.api);
  const budget = budgetApi(deps.api);
  const contacts = contactsApi(deps.api);
  const rules = rulesApi(deps.api);
  const audit = auditApi(deps.api);
  const evidence = evidenceApi(deps.api);
  const privacy = privacyApi(deps.api);
  const simulator = simulatorApi(deps.api);
  const raid = raidApi(deps.api);
  const callers = callersApi(deps.api);
  const notifications = notificationsApi(deps.api);
  const route = (
    method: Route['method'],
    url: string,
    access: Access,
    handler: Route['handler'],
    extra: Partial<Route> = {},
  ): Route => ({ method, url, access, handler, ...extra });
  const api: Route[] = [
    route('GET', '/api/session', 'public', auth.session),
    route('POST', '/api/setup', 'public', auth.setup, { ratePerMinute: 10, hashesPassword: true }),
    route('POST', '/api/login', 'public', auth.login, { ratePerMinute: 10, hashesPassword: true }),
    route('POST', '/api/logout', 'session', auth.logout),
    route('POST', '/api/account/password', 'session', auth.changePassword, {
      ratePerMinute: 10,
      hashesPassword: true,
    }),
    route('GET', '/api/users', 'admin', auth.listUsers),
    route('POST', '/api/users', 'admin', auth.createUser),
    route('PATCH', '/api/users/:id', 'admin', auth.updateUser),
    route('DELETE', '/api/users/:id', 'admin', auth.deleteUser),

    route('GET', '/api/overview', 'moderator', overview.overview),
    route('GET', '/api/overview/chart', 'moderator', overview.chart),
    route('GET', '/api/events', 'moderator', overview.events),
    route('POST', '/api/lines/:id/pause', 'moderator', overview.pause),
    route('POST', '/api/lines/:id/shield', 'moderator', overview.shield),

    route('GET', '/api/lines', 'admin', lines.list),
    route('PATCH', '/api/lines/:id', 'admin', lines.update),
    route('POST', '/api/lines/:id/check', 'admin', lines.check),
    route('PUT', '/api/lines/:id/voice-audio', 'admin', lines.uploadVoice, {
      bodyLimit: MAX_AUDIO_BYTES,
    }),
    route('DELETE', '/api/lines/:id/voice-audio', 'admin', lines.removeVoice),
    route('POST', '/api/sms-cost', 'admin', lines.smsCost),

    route('GET', '/api/budget', 'admin', budget.get),
    route('PUT', '/api/budget', 'admin', budget.update),

    route('GET', '/api/contacts', 'moderator', contacts.list),
    route('GET', '/api/contacts/:id/text', 'moderator', contacts.text),
    route('POST', '/api/contacts/:id/evidence', 'moderator', contacts.evidence),
    route('POST', '/api/contacts/:id/quote', 'moderator', contacts.quote),
    route('GET', '/api/callers', 'moderator', callers.list),
    route('POST', '/api/callers/bulk', 'moderator', callers.bulk),
    route('POST', '/api/callers/forget', 'admin', callers.forget),
    route('GET', '/api/callers/:id', 'moderator', contacts.caller),
    route('POST', '/api/callers/:id/block', 'moderator', contacts.block),
    route('POST', '/api/callers/:id/block-range', 'moderator', contacts.blockRange),
    route('GET', '/api/raid', 'moderator', raid.view),

    route('GET', '/api/rules', 'moderator', rules.get),
    route('POST', '/api/rules', 'moderator', rules.create),
    route('DELETE', '/api/rules/:id', 'moderator', rules.remove),
    route('POST', '/api/lists/:list', 'moderator', rules.setListed),

    route('POST', '/api/simulator/contact', 'admin', simulator.contact),
    route('GET', '/api/simulator/inbox', 'admin', simulator.inbox),

    route('GET', '/api/audit', 'admin', audit.page),

    route('GET', '/api/notifications', 'admin', notifications.get),
    route('POST', '/api/notifications', 'admin', notifications.create),
    route('PATCH', '/api/notifications/:id', 'admin', notifications.update),
    route('DELETE', '/api/notifications/:id', 'admin', notifications.remove),
    route('POST', '/api/notifications/:id/test', 'admin', notifications.test, {
      ratePerMinute: 10,
    }),

    route('GET', '/api/evidence', 'admin', evidence.overview),
    route('GET', '/api/evidence/verify', 'admin', evidence.verify, { ratePerMinute: 10 }),
    route('POST', '/api/evidence/export', 'admin', evidence.export, { ratePerMinute: 10 }),
    route('GET', '/api/evidence/organisation', 'admin', evidence.organisation),
    route('PUT', '/api/evidence/organisation', 'admin', evidence.saveOrganisation),
    route('POST', '/api/evidence/holds', 'admin', evidence.hold),
    route('POST', '/api/evidence/holds/:id/release', 'admin', evidence.release),
    route('POST', '/api/evidence/callers/:id/release', 'admin', evidence.releaseCaller),
    route('POST', '/api/privacy/export', 'admin', privacy.export),
    route('POST', '/api/privacy/erase', 'admin', privacy.erase),

    route('GET', '/media/voice/:token', 'public', lines.media),
  ];
  return [
    ...api,
    {
      method: 'GET',
      url: '/healthz',
      access: 'public',
      handler: async (_request, reply) => {
        const ready = await deps.health().catch(() => false);
        return reply
          .status(ready ? 200 : 503)
          .send({ status: ready ? 'ok' : 'database unreachable' });
      },
    },
    {
      method: 'GET',
      url: '/readyz',
      access: 'public',
      handler: async (_request, reply) => {
        const checks = await deps.ready();
        const ok = checks.every((c) => c.ok);
        return reply
          .status(ok ? 200 : 503)
          .header('cache-control', 'no-store')
          .send({
            status: ok ? 'ok' : 'failing',
            checks: checks.map(({ id, ok, message, fix }) => ({ id, ok, message, fix })),
          });
      },
    },
    {
      method: 'GET',
      url: '/metrics',
      access: 'metrics',
      handler: async (_request, reply) => {
        const { contentType, body } = await deps.renderMetrics();
        return reply.type(contentType).send(body);
      },
    },
    ...webhookRoutes(deps),
  ];
}

/** Every provider's webhook addresses (telephony/endpoints.ts), all checked by their signature. */
function webhookRoutes(deps: WebhookDeps): Route[] {
  return PROVIDER_NAMES.flatMap((provider) =>
    WEBHOOK_ENDPOINTS[provider].flatMap((endpoint) => {
      const handler = webhookHandler(deps, provider, endpoint);
      return endpoint.methods.map((method): Route => ({
        method,
        url: `/webhooks/${provider}/${endpoint.name}`,
        access: 'signed',
        handler,
      }));
    }),
  );
}
