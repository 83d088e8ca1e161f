import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { BusyError } from '../domain/errors.ts';
import { errorHandler, HttpError } from './errors.ts';
import { registerFormParser, registerJsonParser } from './form-body.ts';
import { isLocal } from './request-origin.ts';
import { AUDIO_TYPES } from './api/lines.ts';
import { secretMatches, sessionCookie, sessionGuard } from './api/session.ts';
import { routeTable, type Access, type RouteDeps } from './routes.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route, from the route table. */
    access?: Access;
  }
}

export interface AppOptions extends RouteDeps {
  log: Logger;
  metricsToken: string | null;
  /** TRUST_PROXY: addresses (or "loopback") whose X-Forwarded-* headers are believed. */
  trustProxy: string[] | null;
  /** How long sign-in limits count attempts: a minute, except in tests. */
  limitWindowMs?: number;
  /** HOST, when it names one address or host name (not 0.0.0.0 or ::): the dashboard answers there too. */
  listenHost?: string;
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
const NOT_DASHBOARD = /^\/(api|webhooks|media|metrics|healthz|readyz|assets)(\/|$)/;

/** Webhooks are a few hundred bytes; anything much larger is not from a provider. */
export const BODY_LIMIT = 64 * 1024;

/** Host names that always mean this machine. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The host names the server answers to: PUBLIC_URL's, loopback, and HOST when it names one. A DNS
 * rebinding page reaches the server under its own name; refusing unknown names stops it from
 * reading the dashboard's API, creating the first account or reading metrics.
 */
function hostCheck(publicUrl: string, listenHost: string | undefined) {
  const allowed = new Set(LOOPBACK_NAMES);
  allowed.add(new URL(publicUrl).hostname.toLowerCase());
  if (listenHost && listenHost !== '0.0.0.0' && listenHost !== '::')
    allowed.add((listenHost.includes(':') ? `[${listenHost}]` : listenHost).toLowerCase());
  return (request: FastifyRequest): void => {
    const name = request.hostname.toLowerCase().replace(/\.$/, '');
    if (allowed.has(name) || name.endsWith('.localhost')) return;
    throw new HttpError(
      421,
      'host_not_allowed',
      `This server answers at ${publicUrl} and on this machine (http://localhost). If you reached it under another name, set PUBLIC_URL to the address you use, then restart.`,
    );
  };
}

/** Paths served whatever Host they are asked under: probes may use a bare address. */
const ANY_HOST = new Set(['/healthz', '/readyz']);

/**
 * Sign-in and other routes that run a password hash are limited three ways, each over a minute:
 * per address and user name, per address, and across all addresses. Requests made on this machine
 * skip the overall limit, and a browser where the user signed in before skips both the per-address
 * and the overall limits (KnownDevices): a flood does not lock out the operators. IPv6 addresses
 * count per /64, the block one subscriber gets.
 */
const HASHING_LIMITS = { perAddress: 30, overall: 120 };

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
    // A malformed URL (bad percent-encoding, an over-long parameter) is refused by the router before
    // any hook: answered in the same shape as every other refusal.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
    // With TRUST_PROXY, request.ip, .hostname and .protocol follow the proxy's X-Forwarded-* headers.
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    // Live event streams stay open; closing the server must not wait for them.
    forceCloseConnections: true,
  });
  registerFormParser(app);
  registerJsonParser(app);
  app.addContentTypeParser(
    AUDIO_TYPES,
    // No limit of its own: the upload route's 5 MB applies there, the 64 KiB default elsewhere.
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  );
  void app.register(cookie);
  void app.register(rateLimit, { global: false, hook: 'preHandler' });
  app.setErrorHandler(errorHandler);
  const checkHost = hostCheck(options.publicUrl, options.listenHost);
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      if (!ANY_HOST.has(request.url.split('?')[0] ?? '')) checkHost(request);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
  // A callback hook, not an async one: it runs on every webhook, and needs no promise.
  app.addHook('onSend', (_request, reply, payload, done) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'same-origin');
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      void reply.header('x-frame-options', 'DENY');
    }
    done(null, payload);
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
      // The build writes .br and .gz beside each asset; they are sent to browsers that take them.
      preCompressed: true,
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

  const sessionCookieSpec = sessionCookie(options.publicUrl);
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
    session: sessionGuard(options.api.accounts, null, sessionCookieSpec),
    moderator: sessionGuard(options.api.accounts, 'moderator', sessionCookieSpec),
    admin: sessionGuard(options.api.accounts, 'admin', sessionCookieSpec),
  };
  // Routes go in a plugin registered after cookie and rate-limit, so both apply to them.
  void app.register((scope, _opts, done) => {
    const addressOf = (request: FastifyRequest) => normalizeIP(request.ip, 64);
    const userName = (request: FastifyRequest) => {
      const name = (request.body as { username?: unknown } | null)?.username;
      // Spelled as Accounts.login reads it, so " alice" counts against "alice".
      return typeof name === 'string' ? name.trim().toLowerCase() : '';
    };
    const limiter = (max: number, key: (request: FastifyRequest) => string) =>
      scope.createRateLimit({
        max,
        timeWindow: options.limitWindowMs ?? 60_000,
        keyGenerator: key,
      });
    const perAddress = limiter(HASHING_LIMITS.perAddress, addressOf);
    const overall = limiter(HASHING_LIMITS.overall, () => 'everyone');

    for (const route of routeTable(options)) {
      const guard = guards[route.access];
      // `local`: applies to requests made on this machine; `known`: to a browser where the user
      // signed in before (see KnownDevices).
      const limits: {
        check: ReturnType<typeof limiter>;
        local: boolean;
        known: boolean;
        what: string;
      }[] = [];
      if (route.ratePerMinute)
        limits.push({
          check: limiter(
            route.ratePerMinute,
            (request) => `${addressOf(request)}|${route.url}|${userName(request)}`,
          ),
          local: true,
          known: true,
          what: 'from your address',
        });
      if (route.hashesPassword)
        limits.push(
          { check: perAddress, local: true, known: false, what: 'from your address' },
          { check: overall, local: false, known: false, what: 'from all addresses together' },
        );
      scope.route({
        method: route.method,
        url: route.url,
        // Read back by tests that check every route against every role.
        config: { access: route.access },
        ...(guard
          ? { onRequest: async (request: FastifyRequest) => void (await guard(request)) }
          : {}),
        ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
        ...(limits.length
          ? {
              // After parsing, so the user name in the body can be part of the key.
              preHandler: async (request: FastifyRequest) => {
                const local = isLocal(request);
                const known = options.api.devices.knows(request, userName(request));
                for (const limit of limits) {
                  if ((local && !limit.local) || (known && !limit.known)) continue;
                  const result = await limit.check(request);
                  if (!result.isAllowed && result.isExceeded)
                    throw new BusyError(
                      `Too many attempts ${limit.what} in the last minute; wait ${result.ttlInSeconds} seconds and try again.`,
                      result.ttlInSeconds,
                    );
                }
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
