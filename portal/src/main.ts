import { closeServer, createLogger, listen, onShutdown } from '@faas/common';
import { createApp } from './app.js';
import { loadPortalConfig } from './config.js';

const config = loadPortalConfig(process.env);
const logger = createLogger('portal', config.logLevel);
const server = await listen(createApp({ logger }), config.port, config.host);
logger.info({ port: config.port }, 'portal listening');
onShutdown(logger, () => closeServer(server));
