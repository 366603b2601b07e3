import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { AUTH_PREFIX, authApiSection, authRouter, connectAuthDeps, loadAuthConfig } from '@faas/auth-service';
import { boundPort, closeServer, createHttpApp, createMetrics, keepConnections, readSecretFile, type Env, type Logger, type MetricsAccess } from '@faas/common';
import { PUBLISHER_PREFIX, connectPublisherDeps, loadPublisherConfig, publisherApiSection, publisherRouter } from '@faas/publisher-service';
import { REGISTRY_PREFIX, connectRegistryDeps, loadRegistryConfig, registryApiSection, registryRouter } from '@faas/registry-service';
import { loadSpawnerConfig, startSpawner } from '@faas/spawner-service';
import type { Express } from 'express';
import { closeAll, connectServices, distinct } from './nats-connections.js';
import { rootRouter } from './root-router.js';

export interface Platform {
  readonly port: number;
  /** The address it listens on: 127.0.0.1 unless HOST says otherwise. */
  readonly host: string;
  readonly baseUrl: string;
  /** The Express app serving every route (tests walk its routers). */
  readonly app: Express;
  stop(): Promise<void>;
}

/** What a request gets while the platform is still starting: 503, come back in a second. */
function startingUp(req: IncomingMessage, res: ServerResponse): void {
  const header = req.headers['x-request-id'];
  const requestId = typeof header === 'string' && /^[\w.-]{1,128}$/.test(header) ? header : randomUUID();
  const body = JSON.stringify({ error: { code: 'STARTING', message: 'the platform is starting; retry in a moment', requestId } });
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1', 'x-request-id': requestId, connection: 'close' }).end(body);
}

/**
 * Every service's router on one port plus an in-process spawner, each on its own NATS connection
 * as its own user (nats-connections.ts): the same code and permissions as the stack. The publisher still reaches the registry over HTTP (on this port).
 * `STANDALONE_SPAWNER=false` leaves the spawner out (for tests that run spawners separately).
 * `/` serves the whole OpenAPI document (`/openapi.json`, `/docs`) and the portal (portal/dist/app).
 */
export async function startPlatform(env: Env, logger: Logger, port: number): Promise<Platform> {
  const server = keepConnections(createServer());
  // Listening comes first (the port is part of the config); until the routes are mounted, every
  // request gets a 503 that says to come back, never silence.
  let handle: RequestListener = startingUp;
  server.on('request', (req, res) => handle(req, res));
  // Loopback unless asked: a development platform (generated secrets, open registration) is not
  // for the whole network. HOST=0.0.0.0 serves every interface.
  const host = env.HOST ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = boundPort(server);
  const local = { ...env, PORT: String(bound), REGISTRY_URL: env.REGISTRY_URL ?? `http://127.0.0.1:${bound}` };
  const authConfig = loadAuthConfig(local);
  const nc = await connectServices(env, authConfig.natsUrls, authConfig.natsAuth, logger);
  try {
    const [auth, registry, publisher] = await Promise.all([
      connectAuthDeps(nc.auth, authConfig, logger.child({ component: 'auth' })),
      connectRegistryDeps(nc.registry, loadRegistryConfig(local), logger.child({ component: 'registry' })),
      connectPublisherDeps(nc.publisher, loadPublisherConfig(local), logger.child({ component: 'publisher' })),
    ]);
    // One registry: /metrics shows the in-process spawner's figures too (warm starts, slots).
    const metrics = createMetrics();
    const spawner =
      env.STANDALONE_SPAWNER === 'false'
        ? undefined
        : await startSpawner({ nc: nc.spawner, config: loadSpawnerConfig(local), logger: logger.child({ component: 'spawner' }), metrics });
    const app = createHttpApp({
      logger,
      metrics,
      metricsAccess: metricsAccessFor(env, host, logger),
      mounts: [
        { prefix: AUTH_PREFIX, router: authRouter(auth) },
        { prefix: REGISTRY_PREFIX, router: registryRouter(registry) },
        { prefix: PUBLISHER_PREFIX, router: publisherRouter(publisher) },
        { prefix: '/', router: rootRouter([authApiSection(auth), registryApiSection(registry), publisherApiSection()]) },
      ],
    });
    handle = app;
    return {
      port: bound,
      host,
      baseUrl: `http://localhost:${bound}`,
      app,
      async stop() {
        publisher.endSyncWaits();
        await closeServer(server);
        publisher.close();
        await spawner?.stop();
        await publisher.tracing.shutdown();
        await Promise.all(distinct(nc).map((c) => c.drain()));
      },
    };
  } catch (err) {
    await closeServer(server);
    await closeAll(distinct(nc));
    throw err;
  }
}

/**
 * `/metrics` names functions of every tenant: open only while the platform listens on loopback,
 * else only with `METRICS_TOKEN_FILE`'s token (Bearer), else not served at all.
 */
function metricsAccessFor(env: Env, host: string, logger: Logger): MetricsAccess {
  if (env.METRICS_TOKEN_FILE) return { token: readSecretFile(env.METRICS_TOKEN_FILE) };
  if (/^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(host)) return 'open';
  logger.warn({ host }, '/metrics is not served on a non-loopback address without METRICS_TOKEN_FILE');
  return 'none';
}
