import { runHttpService } from '@faas/common';
import { createApp } from './wiring/app.js';
import { connectPublisherDeps } from './wiring/connect-deps.js';
import { loadPublisherConfig } from './config.js';

const config = loadPublisherConfig(process.env);
await runHttpService({
  name: 'publisher-service',
  config,
  connect: (nc, logger) => connectPublisherDeps(nc, config, logger),
  app: (deps, _logger, metrics) => createApp({ ...deps, metrics }),
  // A sync wait (up to MAX_SYNC_WAIT_SECONDS) outlasts any stop grace: waiting callers get their
  // 202 and status URL at once, so the process exits well within docker-compose's 35 s.
  beforeClose: (deps) => deps.endSyncWaits(),
  beforeDrain: async (deps) => {
    deps.close();
    await deps.tracing.shutdown();
  },
  graceMs: 30_000,
});
