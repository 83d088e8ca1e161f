import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { errorHandler, HttpError } from './errors.ts';
import { registerFormParser } from './form-body.ts';
import { AUDIO_TYPES } from './api/lines.ts';
import { secretMatches, sessionGuard } from './api/session.ts';
import { routeTable, type Access, type RouteDeps } from './routes.ts';

export interface AppOptions extends RouteDeps {
  log: Logger;
  metricsToken: string | null;
  /** The built dashboard (index.html and assets), or null to serve none. */
  dashboardDir: string | null;
}

/** Browser pages may load only this server's scripts and styles, and may not be framed. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Paths the dashboard never owns: an unknown one there is a 404 in JSON, not the app's page. */
const NOT_DASHBOARD = /^\/(api|webhooks|media|metrics|healthz|assets)(\/|$)/;

/** Webhooks are a few hundred bytes; anything much larger is not from a provider. */
export const BODY_LIMIT = 64 * 1024;

/**
 * A request made on this machine. A reverse proxy on the same host also connects from loopback,
 * but it adds forwarding headers, so forwarded requests do not count as local.
 */
function isLocal(request: FastifyRequest): boolean {
  const loopback = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(
    request.socket.remoteAddress ?? '',
  );
  const h = request.headers;
  return loopback && !h['x-forwarded-for'] && !h.forwarded && !h['x-real-ip'];
}

function tokenMatches(header: string | undefined, token: string): boolean {
  return header?.startsWith('Bearer ') === true && secretMatches(header.slice(7), token);
}

export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    // pino.Logger and FastifyBaseLogger differ only in generics; without this the instance type forks.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: options.log as FastifyBaseLogger,
    // Request lines would carry nothing useful and cost time under a flood; handlers log outcomes.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    // Live event streams stay open; closing the server must not wait for them.
    forceCloseConnections: true,
  });
  registerFormParser(app);
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.addContentTypeParser(
    AUDIO_TYPES,
    // No limit of its own: the upload route's 5 MB applies there, the 64 KiB default elsewhere.
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  );
  void app.register(cookie);
  void app.register(rateLimit, { global: false, hook: 'preHandler' });
  app.setErrorHandler(errorHandler);
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'same-origin');
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      void reply.header('x-frame-options', 'DENY');
    }
    return payload;
  });

  const dashboard =
    options.dashboardDir && existsSync(join(options.dashboardDir, 'index.html'))
      ? options.dashboardDir
      : null;
  if (dashboard)
    void app.register(fastifyStatic, {
      root: dashboard,
      prefix: '/',
      // Looked up per request, so a rebuilt dashboard is served without a restart.
      wildcard: true,
      index: ['index.html'],
      setHeaders(reply, path) {
        // Vite names assets by content hash: they never change under one name.
        void reply.header(
          'cache-control',
          path.includes(join('dist', 'assets'))
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
        );
      },
    });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (request.method === 'GET' && !NOT_DASHBOARD.test(path)) {
      if (dashboard)
        return reply.header('cache-control', 'no-cache').sendFile('index.html', dashboard);
      return reply
        .status(404)
        .type('text/plain; charset=utf-8')
        .send(
          'The dashboard has not been built. Run "npm install" (or "npm run build") in the nonmerci folder, then restart.',
        );
    }
    return reply.status(404).send({
      error: 'not_found',
      message: `Nothing answers ${request.method} ${path}.`,
    });
  });

  type Guard = (request: FastifyRequest) => void | Promise<void>;
  const guards: Record<Access, Guard | null> = {
    public: null,
    signed: null, // checked by each webhook handler against the provider's signature
    metrics: (request) => {
      if (isLocal(request)) return;
      if (options.metricsToken && tokenMatches(request.headers.authorization, options.metricsToken))
        return;
      throw new HttpError(
        401,
        'unauthorized',
        'Metrics are served to requests made on this machine (not through a reverse proxy), or with "Authorization: Bearer METRICS_TOKEN".',
      );
    },
    session: sessionGuard(options.api.accounts, null),
    moderator: sessionGuard(options.api.accounts, 'moderator'),
    admin: sessionGuard(options.api.accounts, 'admin'),
  };
  // Routes go in a plugin registered after cookie and rate-limit, so both apply to them.
  void app.register((scope, _opts, done) => {
    for (const route of routeTable(options)) {
      const guard = guards[route.access];
      scope.route({
        method: route.method,
        url: route.url,
        ...(guard
          ? { onRequest: async (request: FastifyRequest) => void (await guard(request)) }
          : {}),
        ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
        ...(route.ratePerMinute
          ? {
              config: {
                rateLimit: {
                  max: route.ratePerMinute,
                  timeWindow: 60_000,
                  keyGenerator: (request: FastifyRequest) => {
                    const name = (request.body as { username?: unknown } | null)?.username;
                    // Spelled as Accounts.login reads it, so " alice" counts against "alice".
                    const key = typeof name === 'string' ? name.trim().toLowerCase() : '';
                    return `${request.ip}|${key}`;
                  },
                },
              },
            }
          : {}),
        handler: route.handler,
      });
    }
    done();
  });
  return app;
}
