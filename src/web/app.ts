import { timingSafeEqual } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { errorHandler, HttpError } from './errors.ts';
import { registerFormParser } from './form-body.ts';
import { routeTable, type Access, type RouteDeps } from './routes.ts';

export interface AppOptions extends RouteDeps {
  log: Logger;
  metricsToken: string | null;
}

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
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
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
  });
  registerFormParser(app);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: 'not_found',
      message: `Nothing answers ${request.method} ${request.url.split('?')[0]}.`,
    });
  });

  const guards: Record<Access, ((request: FastifyRequest) => void) | null> = {
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
  };
  for (const route of routeTable(options)) {
    const guard = guards[route.access];
    app.route({
      method: route.method,
      url: route.url,
      ...(guard
        ? {
            onRequest: (request: FastifyRequest, _reply: unknown, done: (e?: Error) => void) => {
              try {
                guard(request);
                done();
              } catch (error) {
                done(error as Error);
              }
            },
          }
        : {}),
      handler: route.handler,
    });
  }
  return app;
}
