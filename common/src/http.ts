import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import { AppError, RateLimitedError, UnavailableError, statusForCode } from './errors.js';
import { isNatsPassingFault } from './retry.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface Mount {
  readonly prefix: string;
  readonly router: Router;
}

export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuses a sane incoming x-request-id or makes one; echoes it and binds a child logger. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.locals.log = logger.child({ requestId });
    res.setHeader('x-request-id', requestId);
    // Every answer, errors and static files included: a browser never guesses a type we did not send.
    res.setHeader('x-content-type-options', 'nosniff');
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      res.locals.log.info(
        { method: req.method, path: req.baseUrl + (req.route?.path ?? req.path), status: res.statusCode, durationMs },
        'request',
      );
    });
    next();
  };
}

/** body-parser's failures carry a `type`; translate them into our error codes. */
function fromBodyParser(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  switch ((err as { type: unknown }).type) {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'request body is too large');
    case 'entity.parse.failed':
      return new AppError('MALFORMED_JSON', 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding');
    default:
      return undefined;
  }
}

/**
 * Errors Express and body-parser raise for a bad request without a `type` (an undecodable
 * `%`-escape in a path parameter, a gzip body that is not gzip) carry a 4xx `status`: a
 * client's mistake, answered as such, never a 500.
 */
function fromClientError(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { status?: unknown }).status;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (err instanceof URIError) return new AppError('BAD_REQUEST', 'the request path has an invalid %-escape');
  return new AppError('BAD_REQUEST', 'the request could not be decoded');
}

/** A passing NATS fault is a dependency being down (503, try again), not a bug (500). */
function fromNats(err: unknown): AppError | undefined {
  if (!isNatsPassingFault(err)) return undefined;
  return new UnavailableError('the data store is not answering; try again', { cause: err });
}

/** The path without its query, and without a webhook's token (the token is the credential). */
const loggablePath = (url: string): string => (url.split('?')[0] ?? '').replace(/\/hooks\/[^/]+/, '/hooks/<token>');

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const appError = err instanceof AppError ? err : (fromBodyParser(err) ?? fromNats(err) ?? fromClientError(err));
  const status = appError ? statusForCode(appError.code) : 500;
  const log: Logger | undefined = res.locals.log;
  if (status >= 500) log?.error({ err, method: req.method, path: loggablePath(req.originalUrl) }, 'request failed');
  else log?.debug({ code: appError?.code, message: appError?.message }, 'request refused');
  if (res.headersSent) return;
  if (appError instanceof RateLimitedError) res.set('Retry-After', String(appError.retryAfterSeconds));
  const body = appError
    ? { code: appError.code, message: appError.message, ...(appError.details ? { details: appError.details } : {}) }
    : { code: 'INTERNAL', message: 'internal error' };
  res.status(status).json({ error: { ...body, requestId: res.locals.requestId } });
};

const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
};

/**
 * Who may read `/metrics`: `open` where the port is internal (a service in the stack: only APISIX
 * publishes a port, and it routes no `/metrics`), `none` on a public port (the portal, the
 * gateway's catch-all), or whoever sends `Authorization: Bearer <token>`.
 */
export type MetricsAccess = 'open' | 'none' | { readonly token: string };

function metricsHandler(metrics: Metrics, access: Exclude<MetricsAccess, 'none'>): RequestHandler {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  const wanted = access === 'open' ? undefined : digest(`Bearer ${access.token}`);
  return async (req, res, next) => {
    if (wanted && !timingSafeEqual(digest(req.get('authorization') ?? ''), wanted)) {
      return next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

/** The HTTP shell every service shares: request ids, metrics, routers, JSON 404s and errors. */
export function createHttpApp(options: { logger: Logger; metrics: Metrics; mounts: readonly Mount[]; metricsAccess?: MetricsAccess }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestContext(options.logger));
  app.use(options.metrics.middleware);
  const access = options.metricsAccess ?? 'open';
  if (access !== 'none') app.get('/metrics', metricsHandler(options.metrics, access));
  for (const mount of options.mounts) app.use(mount.prefix, mount.router);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/** JSON body parser for a router: objects only, size-limited. */
export function jsonBody(limit: string | number): RequestHandler {
  return express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
}
