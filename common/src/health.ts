import { Router } from 'express';
import type { KV, NatsConnection } from 'nats';

export type ReadinessCheck = () => Promise<void>;

const READY_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Ready when the connection is up and every bucket answers a status request. */
export function natsReadiness(nc: NatsConnection, buckets: readonly KV[]): ReadinessCheck {
  return async () => {
    if (nc.isClosed() || nc.isDraining()) throw new Error('nats connection closed');
    await Promise.all(buckets.map((kv) => kv.status()));
  };
}

/** `/health` says the process is alive; `/ready` says its dependencies answer. */
export function healthRouter(ready: ReadinessCheck): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    try {
      await withTimeout(ready(), READY_TIMEOUT_MS);
      res.json({ status: 'ready' });
    } catch (err) {
      res.status(503).json({
        status: 'not ready',
        error: { code: 'UNAVAILABLE', message: err instanceof Error ? err.message : 'dependency down' },
      });
    }
  });
  return router;
}
