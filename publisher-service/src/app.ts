import {
  BUCKETS,
  createExecutionStore,
  createHttpApp,
  createUserTokenVerifier,
  ensureExecutionsStream,
  FINAL_STATUSES,
  natsReadiness,
  openAccountGuard,
  serviceRouter,
  openBucket,
  openExecutionsBucket,
  openApiRouter,
  serviceApiDocument,
  serviceApiSection,
  startTracing,
  type ApiSection,
  type Logger,
  type Metrics,
  type ReadinessCheck,
  type Tracing,
} from '@faas/common';
import { setMaxListeners } from 'node:events';
import type { Express, Router } from 'express';
import type { NatsConnection } from 'nats';
import { deliverQueuedCallback } from './callback-delivery.js';
import { openCallbackQueue } from './callback-queue.js';
import { checkCallbackUrl } from './callbacks.js';
import { connectInputCheck } from './input-check.js';
import type { PublisherConfig } from './config.js';
import { createExecutionIndex } from './execution-index.js';
import { createFunctionCache } from './function-cache.js';
import { publisherApiRoutes } from './openapi.js';
import { createQuotaStore } from './quota-store.js';
import { createRegistryClient } from './registry-client.js';
import { handleResult } from './results.js';
import { publisherRoutes, type PublisherRouteDeps } from './routes.js';
import { createWorkQueue, subscribeResults } from './work-queue.js';

export const PUBLISHER_PREFIX = '/publisher';

export interface PublisherDeps extends PublisherRouteDeps {
  readonly ready: ReadinessCheck;
  /** Answers every waiting sync caller 202 with its status URL now (call first when stopping). */
  endSyncWaits(): void;
  /** Stops listening for results (call before draining NATS). */
  close(): void;
  /** The accept spans' exporter (OTEL_EXPORTER_OTLP_ENDPOINT); shut it down last, to send what is left. */
  readonly tracing: Tracing;
}

/** The OpenAPI section of everything publisherRouter serves. */
export function publisherApiSection(): ApiSection {
  return serviceApiSection({ prefix: PUBLISHER_PREFIX, tag: 'publisher', description: 'Executions: run functions, read their records', routes: publisherApiRoutes });
}

/** Everything under `/publisher`; the OpenAPI router comes first: the execution routes need a token. */
export function publisherRouter(deps: PublisherDeps): Router {
  return serviceRouter(deps.ready, openApiRouter(serviceApiDocument('publisher-service', publisherApiSection())), publisherRoutes(deps));
}

export function createApp(deps: PublisherDeps & { metrics: Metrics }): Express {
  return createHttpApp({ logger: deps.logger, metrics: deps.metrics, mounts: [{ prefix: PUBLISHER_PREFIX, router: publisherRouter(deps) }] });
}

/** Opens the buckets and stream, and starts the (queue-group) result listener. */
export async function connectPublisherDeps(nc: NatsConnection, config: PublisherConfig, logger: Logger): Promise<PublisherDeps> {
  const replicas = config.natsReplicas;
  // The publisher owns the stream and the execution buckets' settings (TTL, replicas).
  // The spawners make their consumer (with their ACK_WAIT_MS and MAX_DELIVER); the publisher's NATS user may not.
  await ensureExecutionsStream(nc, { replicas, owner: logger, consumer: false });
  const [executionsKv, indexKv, quotaKv, functionsKv] = await Promise.all([
    openExecutionsBucket(nc, replicas, config.executionTtlMs, logger),
    openBucket(nc, BUCKETS.executionIndex, { replicas, ttlMs: config.executionTtlMs, owner: logger }),
    openBucket(nc, BUCKETS.quotas, { replicas, owner: logger }),
    openBucket(nc, BUCKETS.functions, { replicas }),
  ]);
  const guard = await openAccountGuard(nc, replicas, await createUserTokenVerifier(nc, config.token, replicas), logger);
  const store = createExecutionStore(executionsKv);
  const index = createExecutionIndex(indexKv);
  const quota = createQuotaStore(quotaKv, {
    ...config.quota,
    overrideFor: (userId) => guard.controls.get(userId)?.maxConcurrent,
    isSettled: async (id) => {
      const stored = await store.get(id);
      return !stored || FINAL_STATUSES.has(stored.record.status);
    },
  });
  const callbackQueue = await openCallbackQueue(nc, { replicas, ackWaitMs: config.callbacks.timeoutMs * 2 + 5_000 }, logger);
  const callbacks = callbackQueue.start((pending, delivery) =>
    deliverQueuedCallback({ store, options: config.callbacks, logger }, pending, delivery),
  );
  const functions = createFunctionCache({ kv: functionsKv, fallback: createRegistryClient(config.registry), nc, logger });
  const syncWaits = new AbortController();
  // One listener per waiting caller, removed when its wait ends: no limit applies.
  setMaxListeners(0, syncWaits.signal);
  const results = subscribeResults(nc, logger, (record) => handleResult({ quota }, record));
  const tracing = startTracing(config.tracing, logger);
  return {
    functions,
    store,
    index,
    quota,
    queue: createWorkQueue(nc),
    checkCallback: (url) => checkCallbackUrl(url, config.callbacks),
    enqueueCallback: (pending) => callbackQueue.enqueue(pending),
    maxArgumentBytes: config.maxArgumentBytes,
    checkInputs: await connectInputCheck(nc, replicas, config.executionTtlMs),
    syncWait: config.syncWait,
    syncWaitsEnd: syncWaits.signal,
    endSyncWaits: () => syncWaits.abort(),
    verifyToken: guard.verifyToken,
    tracer: tracing.tracer,
    tracing,
    logger,
    ready: natsReadiness(nc, [executionsKv, indexKv, quotaKv, guard.kv]),
    close: () => {
      results.unsubscribe();
      callbacks.stop();
      guard.controls.stop();
      functions.stop();
    },
  };
}
