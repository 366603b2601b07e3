import type { Server, ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { Logger } from './logger.js';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * How long the server keeps an idle keep-alive connection: longer than the clients and proxies in
 * front keep theirs (APISIX's upstream pool, as nginx's, 60 s; Node's fetch about 4 s), so the
 * client closes an idle connection first. With Node's default (5 s) a client whose own timer runs
 * a little late (a loaded machine, a coarse timer) sends on a connection the server is closing at
 * that moment, and sees "other side closed"; a proxy that keeps 60 s answers 502.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Responses not yet finished, per server kept by keepConnections: closeServer tells their clients to close. */
const unfinished = new WeakMap<Server, Set<ServerResponse>>();

/** The server's connection timeouts: keep-alive past every client's, headers a little longer still. */
export function keepConnections<T extends Server>(server: T): T {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // A request's headers must have arrived by then; above keepAliveTimeout, as Node's docs advise.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  const open = new Set<ServerResponse>();
  unfinished.set(server, open);
  server.on('request', (_req, res: ServerResponse) => {
    open.add(res);
    res.once('close', () => open.delete(res));
  });
  return server;
}

/**
 * At shutdown, answers end their connections: `Connection: close` on every answer not yet started
 * (the client will not send on it again), and a connection whose answer had already started closes
 * as soon as that answer ends, instead of staying open for the keep-alive timeout.
 */
function endConnectionsAfterAnswers(server: Server): void {
  const closing = (res: ServerResponse): void => {
    if (!res.headersSent) res.shouldKeepAlive = false;
  };
  for (const res of unfinished.get(server) ?? []) closing(res);
  server.on('request', (_req, res: ServerResponse) => closing(res));
  server.keepAliveTimeout = 1;
}

/** Listens and resolves with the bound port (0 picks a free one). */
export function listen(app: Express, port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = keepConnections(app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server))));
  });
}

export function boundPort(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** How long in-flight requests get to finish at shutdown before their connections are cut. */
export const REQUEST_DRAIN_MS = 10_000;

/**
 * Stops taking connections; in-flight requests get `drainMs` to finish, idle keep-alive sockets are
 * closed at once, and whatever is still open after `drainMs` is cut: a client that never ends its
 * request (or a handler that never answers) cannot hold the shutdown past the grace period.
 */
export function closeServer(server: Server, drainMs = REQUEST_DRAIN_MS): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), drainMs);
    cut.unref();
    endConnectionsAfterAnswers(server);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits: 0 when it finished, 1 when it failed
 * or overran the grace period.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, graceMs = 30_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown overran its grace period');
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
