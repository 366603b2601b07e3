import { createHttpApp, createMetrics, type Logger } from '@faas/common';
import { Router, type Express } from 'express';
import { portalRouter } from './portal-router.js';

/** The portal's own server (the Swarm stack's `portal` service): the static app and /health. */
export function createApp(deps: { logger: Logger; appDir?: string }): Express {
  const health = Router();
  health.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return createHttpApp({
    logger: deps.logger,
    metrics: createMetrics(),
    // The gateway's catch-all route leads here from the internet: no /metrics on this port.
    metricsAccess: 'none',
    mounts: [
      { prefix: '/', router: health },
      { prefix: '/', router: portalRouter(deps.appDir) },
    ],
  });
}
