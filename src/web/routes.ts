import type { FastifyReply, FastifyRequest } from 'fastify';
import { webhookHandler, type WebhookDeps } from './webhooks.ts';

/**
 * Who may call a route:
 * - public: anyone (health check);
 * - signed: a telephony provider, proven by the webhook signature checked in the handler;
 * - metrics: loopback, or a bearer METRICS_TOKEN.
 */
export type Access = 'public' | 'signed' | 'metrics';

export interface Route {
  method: 'GET' | 'POST';
  url: string;
  access: Access;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export interface RouteDeps extends WebhookDeps {
  health(): Promise<boolean>;
  renderMetrics(): Promise<{ contentType: string; body: string }>;
}

/** Every route the server answers, in one table. Webhook paths are pasted into provider consoles: keep them stable. */
export function routeTable(deps: RouteDeps): Route[] {
  return [
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
      url: '/metrics',
      access: 'metrics',
      handler: async (_request, reply) => {
        const { contentType, body } = await deps.renderMetrics();
        return reply.type(contentType).send(body);
      },
    },
    {
      method: 'POST',
      url: '/webhooks/twilio/voice',
      access: 'signed',
      handler: webhookHandler(deps, 'twilio', 'voice'),
    },
    {
      method: 'POST',
      url: '/webhooks/twilio/sms',
      access: 'signed',
      handler: webhookHandler(deps, 'twilio', 'sms'),
    },
    {
      method: 'POST',
      url: '/webhooks/twilio/status',
      access: 'signed',
      handler: webhookHandler(deps, 'twilio', 'status'),
    },
    {
      method: 'POST',
      url: '/webhooks/simulator/voice',
      access: 'signed',
      handler: webhookHandler(deps, 'simulator', 'voice'),
    },
    {
      method: 'POST',
      url: '/webhooks/simulator/sms',
      access: 'signed',
      handler: webhookHandler(deps, 'simulator', 'sms'),
    },
    {
      method: 'POST',
      url: '/webhooks/simulator/status',
      access: 'signed',
      handler: webhookHandler(deps, 'simulator', 'status'),
    },
  ];
}
