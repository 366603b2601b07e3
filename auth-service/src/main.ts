import { closeServer, connectNats, createLogger, createMetrics, listen, onShutdown } from '@faas/common';
import { connectAuthDeps, createApp } from './app.js';
import { loadAuthConfig } from './config.js';

const config = loadAuthConfig(process.env);
const logger = createLogger('auth-service', config.logLevel);
const nc = await connectNats({ servers: config.natsUrls, name: 'auth-service', logger });
const deps = await connectAuthDeps(nc, config);
const server = await listen(createApp({ ...deps, logger, metrics: createMetrics() }), config.port);
logger.info({ port: config.port }, 'auth-service listening');

onShutdown(logger, async () => {
  await closeServer(server);
  await nc.drain();
});
