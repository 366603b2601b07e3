import { closeServer, connectNats, createHttpApp, createLogger, createMetrics, healthRouter, listen, onShutdown } from '@faas/common';
import { loadSpawnerConfig } from './config.js';
import { startSpawner } from './spawner.js';

const config = loadSpawnerConfig(process.env);
const logger = createLogger('spawner-service', config.logLevel);
const metrics = createMetrics();
const nc = await connectNats({ servers: config.natsUrls, name: `spawner-${config.spawnerId}`, logger, auth: config.natsAuth });
const spawner = await startSpawner({ nc, config, logger, metrics });

// No ingress: this port serves only /metrics, /health and /ready.
const app = createHttpApp({ logger, metrics, mounts: [{ prefix: '/', router: healthRouter(spawner.ready) }] });
const server = await listen(app, config.port);
logger.info({ port: config.port, spawnerId: config.spawnerId }, 'spawner-service running');

// Extra time past the grace period for removing leftovers and draining NATS.
onShutdown(
  logger,
  async () => {
    await spawner.stop();
    await closeServer(server);
    await nc.drain();
  },
  config.shutdownGraceMs + 15_000,
);
