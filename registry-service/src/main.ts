import { closeServer, connectNats, createLogger, createMetrics, listen, onShutdown } from '@faas/common';
import { connectRegistryDeps, createApp } from './app.js';
import { loadRegistryConfig } from './config.js';

const config = loadRegistryConfig(process.env);
const logger = createLogger('registry-service', config.logLevel);
const nc = await connectNats({ servers: config.natsUrls, name: 'registry-service', logger });
const deps = await connectRegistryDeps(nc, config);
const server = await listen(createApp({ ...deps, logger, metrics: createMetrics() }), config.port);
logger.info({ port: config.port }, 'registry-service listening');

onShutdown(logger, async () => {
  await closeServer(server);
  await nc.drain();
});
