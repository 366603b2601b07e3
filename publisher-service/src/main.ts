import { runHttpService } from '@faas/common';
import { connectPublisherDeps, createApp } from './app.js';
import { loadPublisherConfig } from './config.js';

const config = loadPublisherConfig(process.env);
await runHttpService({
  name: 'publisher-service',
  config,
  connect: (nc, logger) => connectPublisherDeps(nc, config, logger),
  app: (deps, _logger, metrics) => createApp({ ...deps, metrics }),
  // Stop answering results only after waiting synchronous callers got their answer.
  beforeDrain: (deps) => deps.close(),
  graceMs: config.syncWait.maxMs + 10_000,
});
