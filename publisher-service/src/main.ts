import { closeServer, connectNats, createLogger, createMetrics, listen, onShutdown } from '@faas/common';
import { connectPublisherDeps, createApp } from './app.js';
import { loadPublisherConfig } from './config.js';

const config = loadPublisherConfig(process.env);
const logger = createLogger('publisher-service', config.logLevel);
const nc = await connectNats({ servers: config.natsUrls, name: 'publisher-service', logger });
const deps = await connectPublisherDeps(nc, config, logger);
const server = await listen(createApp({ ...deps, metrics: createMetrics() }), config.port);
logger.info({ port: config.port, registry: config.registry.baseUrl }, 'publisher-service listening');

// Waiting synchronous callers finish (or get their 202) before NATS is drained.
onShutdown(logger, async () => {
  await closeServer(server);
  deps.close();
  await nc.drain();
}, config.syncWait.maxMs + 10_000);
