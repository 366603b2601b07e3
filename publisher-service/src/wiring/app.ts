import {
  createExecutionStore,
  createHttpApp,
  createUserTokenVerifier,
  natsReadiness,
  openAccountGuard,
  openApiRouter,
  serviceApiDocument,
  serviceApiSection,
  serviceRouter,
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
import { callbackKeyApiRoutes, callbackKeyRoutes } from './callbacks/callback-key-routes.js';
import type { CallbackKeys } from './callbacks/callback-keys.js';
import type { PendingCallback } from './callbacks/callback-queue.js';
import { checkCallbackUrl } from './callbacks/callbacks.js';
import { startCallbacks } from './callbacks/start-callbacks.js';
import type { PublisherConfig } from './config.js';
import { createExecutionIndex } from './executions/execution-index.js';
import { connectInputCheck } from './executions/input-check.js';
import { publisherApiRoutes } from './executions/openapi.js';
import { handleResult } from './executions/results.js';
import { publisherRoutes, type PublisherRouteDeps } from './executions/routes.js';
import { executionSettled } from './executions/settled-check.js';
import { createWorkQueue, maxRequestBytes, subscribeResults } from './executions/work-queue.js';
import { createFunctionCache } from './functions/function-cache.js';
import { createRegistryClient } from './functions/registry-client.js';
import { kvAddressLimit } from './http-functions/address-limit.js';
import { httpFunctionApiRoutes } from './http-functions/http-openapi.js';
import { httpFunctionRoutes, type HttpRouteDeps } from './http-functions/http-routes.js';
import { createHttpTargets } from './http-functions/http-targets.js';
import { openPublisherBuckets } from './open-buckets.js';
import { createQuotaStore } from './quota/quota-store.js';
import type { FireDeps } from './triggers/fire-trigger.js';
import { startTriggers } from './triggers/start-triggers.js';
import { webhookRoutes } from './triggers/webhook-routes.js';
import type { WebhookDeps } from './triggers/webhooks.js';

export const PUBLISHER_PREFIX = '/publisher';

export interface PublisherDeps extends PublisherRouteDeps {
  readonly ready: ReadinessCheck;
  readonly callbackKeys: CallbackKeys;
  /** `POST /publisher/hooks/:token` (no JWT: the token is the credential). */
  readonly webhooks: WebhookDeps;
  /** Answers every waiting sync caller 202 with its status URL now (call first when stopping). */
  endSyncWaits(): void;
  /** Stops listening for results (call before draining NATS). */
  close(): void;
  /** The accept spans' exporter (OTEL_EXPORTER_OTLP_ENDPOINT); shut it down last, to send what is left. */
  readonly tracing: Tracing;
  /** `ALL /publisher/fn/<username>/<function>/…` (HTTP functions; a private one checks the JWT itself). */
  readonly httpFunctions: Omit<HttpRouteDeps, keyof PublisherRouteDeps>;
}

/** The OpenAPI section of everything publisherRouter serves. */
export function publisherApiSection(): ApiSection {
  return serviceApiSection({ prefix: PUBLISHER_PREFIX, tag: 'publisher', description: 'Executions: run functions, read their records', routes: [...publisherApiRoutes, ...httpFunctionApiRoutes, ...callbackKeyApiRoutes] });
}

/** Everything under `/publisher`; the OpenAPI router, webhooks and HTTP functions come first: the execution routes need a token. */
export function publisherRouter(deps: PublisherDeps): Router {
  const webhooks = webhookRoutes({ ...deps.webhooks, maxBodyBytes: deps.maxArgumentBytes });
  const httpFunctions = httpFunctionRoutes({ ...deps, ...deps.httpFunctions });
  return serviceRouter(deps.ready, openApiRouter(serviceApiDocument('publisher-service', publisherApiSection())), webhooks, httpFunctions, callbackKeyRoutes(deps), publisherRoutes(deps));
}

export function createApp(deps: PublisherDeps & { metrics: Metrics }): Express {
  return createHttpApp({ logger: deps.logger, metrics: deps.metrics, mounts: [{ prefix: PUBLISHER_PREFIX, router: publisherRouter(deps) }] });
}

/** MAX_ARGUMENT_BYTES, kept under what one NATS message carries (the request also holds env and names). */
function argumentCap(nc: NatsConnection, configured: number, logger: Logger): number {
  const cap = Math.min(configured, maxRequestBytes(nc) - 64 * 1_024);
  if (cap < configured) logger.warn({ configured, cap, maxPayload: nc.info?.max_payload }, 'MAX_ARGUMENT_BYTES is above the NATS message limit: capped');
  return cap;
}

/** Opens the buckets and stream, starts the (queue-group) result listener and the trigger scheduler. `now`: the scheduler's clock (tests). */
export async function connectPublisherDeps(nc: NatsConnection, config: PublisherConfig, logger: Logger, options: { now?: () => number } = {}): Promise<PublisherDeps> {
  const buckets = await openPublisherBuckets(nc, config, logger);
  const guard = await openAccountGuard(nc, config.natsReplicas, await createUserTokenVerifier(nc, config.token, config.natsReplicas), logger);
  const store = createExecutionStore(buckets.executions);
  const overrideFor = (userId: string): number | undefined => guard.controls.get(userId)?.maxConcurrent;
  const quota = createQuotaStore(buckets.quotas, { ...config.quota, overrideFor, isSettled: executionSettled(store) });
  const callbacks = await startCallbacks(nc, { keysKv: buckets.callbackKeys, store, config, logger });
  const functions = createFunctionCache({ kv: buckets.functions, fallback: createRegistryClient(config.registry), nc, logger });
  const syncWaits = new AbortController();
  // One listener per waiting caller, removed when its wait ends: no limit applies.
  setMaxListeners(0, syncWaits.signal);
  const tracing = startTracing(config.tracing, logger);
  const executionDeps = {
    functions, store, quota, logger,
    index: createExecutionIndex(buckets.index),
    queue: createWorkQueue(nc),
    checkCallback: (url: string) => checkCallbackUrl(url, config.callbacks),
    enqueueCallback: (pending: PendingCallback) => callbacks.enqueue(pending),
    maxArgumentBytes: argumentCap(nc, config.maxArgumentBytes, logger),
    checkInputs: await connectInputCheck(nc, config.natsReplicas, config.executionTtlMs),
    tracer: tracing.tracer,
  };
  const fireDeps: FireDeps = { ...executionDeps, functionsKv: buckets.functions, accountControl: (userId) => guard.controls.get(userId) };
  const triggers = await startTriggers(nc, { fireDeps, buckets, config: config.triggers, logger, ...(options.now ? { now: options.now } : {}) });
  const results = subscribeResults(nc, logger, (record) => handleResult({ quota }, record));
  return {
    ...executionDeps,
    callbackKeys: callbacks.keys,
    webhooks: triggers.webhooks,
    syncWait: config.syncWait,
    syncWaitsEnd: syncWaits.signal,
    endSyncWaits: () => syncWaits.abort(),
    verifyToken: guard.verifyToken,
    tracing,
    httpFunctions: {
      targets: createHttpTargets(functions, buckets.functions),
      accountControl: fireDeps.accountControl,
      hitAddress: kvAddressLimit(buckets.userRequests, config.httpFunctions.ratePerMinute),
      trustedProxyHops: config.httpFunctions.trustedProxyHops,
    },
    ready: natsReadiness(nc, [buckets.executions, buckets.index, buckets.quotas, guard.kv]),
    close: () => {
      triggers.stop();
      results.unsubscribe();
      callbacks.stop();
      guard.controls.stop();
      functions.stop();
    },
  };
}
