import Docker from 'dockerode';
import { closeServer, createHttpApp, createLogger, createMetrics, healthRouter, listen, onShutdown } from '@faas/common';
import { loadNodeSweeperConfig } from './node-sweeper-config.js';
import { startNodeSweeper } from './node-sweeper.js';

// The node sweeper (docker-compose.yml `node-sweeper`, one task per node): the spawner image,
// this entry point. It needs the engine's socket only: no NATS, no secrets.
const config = loadNodeSweeperConfig(process.env);
const logger = createLogger('node-sweeper', config.logLevel);
const docker = new Docker({ socketPath: config.dockerSocket });
const sweeper = await startNodeSweeper({ docker, config, logger });

const ready = async (): Promise<void> => {
  await docker.ping();
};
const app = createHttpApp({ logger, metrics: createMetrics(), mounts: [{ prefix: '/', router: healthRouter(ready) }] });
// Loopback only: the sweeper sits on the engine's default bridge (docker-compose.yml), which a
// function allowed a network shares; only the image's healthcheck, inside, asks it anything.
const server = await listen(app, config.port, '127.0.0.1');
logger.info({ port: config.port }, 'node-sweeper running');

onShutdown(logger, async () => {
  await sweeper.stop();
  await closeServer(server);
});
