import { runHttpService } from '@faas/common';
import { connectAuthDeps, createApp } from './app.js';
import { loadAuthConfig } from './config.js';

const config = loadAuthConfig(process.env);
await runHttpService({
  name: 'auth-service',
  config,
  connect: (nc, logger) => connectAuthDeps(nc, config, logger),
  app: (deps, logger, metrics) => createApp({ ...deps, logger, metrics }),
});
