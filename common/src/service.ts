import { Router, type Express } from 'express';
import type { NatsConnection } from 'nats';
import { healthRouter, type ReadinessCheck } from './health.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { ConfigError } from './config.js';
import { connectNats, type NatsAuth } from './nats.js';
import { closeServer, listen, onShutdown } from './service-runner.js';

/** A service's router: `/health` and `/ready` first, then its own routes. */
export function serviceRouter(ready: ReadinessCheck, ...routers: Router[]): Router {
  const router = Router();
  router.use(healthRouter(ready));
  for (const r of routers) router.use(r);
  return router;
}

/** The settings every service shares, from the parsed `baseEnvShape` fields and its PORT. */
export function baseConfigFrom(env: {
  PORT: number;
  NATS_URL: string[];
  NATS_USER?: string | undefined;
  NATS_PASSWORD_FILE?: string | undefined;
  NATS_REPLICAS: number;
  LOG_LEVEL: string;
}) {
  return {
    port: env.PORT,
    natsUrls: env.NATS_URL,
    natsAuth: natsAuthFrom(env.NATS_USER, env.NATS_PASSWORD_FILE),
    natsReplicas: env.NATS_REPLICAS,
    logLevel: env.LOG_LEVEL,
  };
}

function natsAuthFrom(user: string | undefined, password: string | undefined): NatsAuth | undefined {
  if (user === undefined && password === undefined) return undefined;
  if (user === undefined || password === undefined) {
    throw new ConfigError(['NATS_USER and NATS_PASSWORD_FILE: give both (a NATS user and its password file) or neither']);
  }
  return { user, password };
}

export interface HttpServiceOptions<D> {
  readonly name: string;
  readonly config: { readonly port: number; readonly natsUrls: readonly string[]; readonly natsAuth?: NatsAuth | undefined; readonly logLevel: string };
  connect(nc: NatsConnection, logger: Logger): Promise<D>;
  app(deps: D, logger: Logger, metrics: Metrics): Express;
  /** Runs first on SIGTERM, before the server waits for requests in flight (e.g. to answer long waits now). */
  beforeClose?(deps: D): void;
  /** Runs after the server stopped taking requests, before NATS is drained. */
  beforeDrain?(deps: D): void | Promise<void>;
  graceMs?: number;
}

/** The process of an HTTP service: connect, listen, and stop gracefully on SIGTERM. */
export async function runHttpService<D>(options: HttpServiceOptions<D>): Promise<void> {
  const { name, config } = options;
  const logger = createLogger(name, config.logLevel);
  const nc = await connectNats({ servers: config.natsUrls, name, logger, auth: config.natsAuth });
  const deps = await options.connect(nc, logger);
  const server = await listen(options.app(deps, logger, createMetrics()), config.port);
  logger.info({ port: config.port }, `${name} listening`);
  onShutdown(
    logger,
    async () => {
      options.beforeClose?.(deps);
      await closeServer(server);
      await options.beforeDrain?.(deps);
      await nc.drain();
    },
    options.graceMs,
  );
}
