import { runHttpService } from '@faas/common';
import { connectRegistryDeps, createApp } from './app.js';
import { loadRegistryConfig } from './config.js';

const config = loadRegistryConfig(process.env);
await runHttpService({
  name: 'registry-service',
  config,
  connect: (nc, logger) => connectRegistryDeps(nc, config, logger),
  app: (deps, logger, metrics) => createApp({ ...deps, logger, metrics }),
});
