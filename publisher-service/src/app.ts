import {
  BUCKETS,
  createExecutionStore,
  createHttpApp,
  createUserTokenVerifier,
  ensureExecutionsStream,
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
  type TriggerDefinition,
  type TriggerRef,
  USER_REQUESTS_BUCKET,
  USER_REQUESTS_TTL_MS,
} from '@faas/common';
import { setMaxListeners } from 'node:events';
import type { Express, Router } from 'express';
import type { NatsConnection } from 'nats';
import { deliverQueuedCallback } from './callbacks/callback-delivery.js';
import { callbackKeyApiRoutes, callbackKeyRoutes } from './callbacks/callback-key-routes.js';
import { createCallbackKeys, type CallbackKeys } from './callbacks/callback-keys.js';
import { openCallbackQueue, type PendingCallback } from './callbacks/callback-queue.js';
import { checkCallbackUrl } from './callbacks/callbacks.js';
import { connectInputCheck } from './executions/input-check.js';
import type { PublisherConfig } from './config.js';
import { createExecutionIndex } from './executions/execution-index.js';
import { createFunctionCache } from './functions/function-cache.js';
import { publisherApiRoutes } from './executions/openapi.js';
import { createQuotaStore } from './quota/quota-store.js';
import { executionSettled } from './executions/settled-check.js';
import { createRegistryClient } from './functions/registry-client.js';
import { handleResult } from './executions/results.js';
import { publisherRoutes, type PublisherRouteDeps } from './executions/routes.js';
import { createWorkQueue, maxRequestBytes, subscribeResults } from './executions/work-queue.js';
import { consumeFinalRecords } from './triggers/chain-consumer.js';
import { chainFrom } from './triggers/chains.js';
import { fireSchedule, fireTrigger, triggerRefOf, type FireDeps } from './triggers/fire-trigger.js';
import { startScheduler } from './triggers/scheduler.js';
import { watchTriggers } from './triggers/trigger-watch.js';
import { webhookRoutes } from './triggers/webhook-routes.js';
import { kvWebhookLookup, kvWebhookRateLimit, type WebhookDeps } from './triggers/webhooks.js';

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
}

/** The OpenAPI section of everything publisherRouter serves. */
export function publisherApiSection(): ApiSection {
  return serviceApiSection({ prefix: PUBLISHER_PREFIX, tag: 'publisher', description: 'Executions: run functions, read their records', routes: [...publisherApiRoutes, ...callbackKeyApiRoutes] });
}

/** Everything under `/publisher`; the OpenAPI router comes first: the execution routes need a token. */
export function publisherRouter(deps: PublisherDeps): Router {
  const webhooks = webhookRoutes({ ...deps.webhooks, maxBodyBytes: deps.maxArgumentBytes });
  return serviceRouter(deps.ready, openApiRouter(serviceApiDocument('publisher-service', publisherApiSection())), webhooks, callbackKeyRoutes(deps), publisherRoutes(deps));
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
  const replicas = config.natsReplicas;
  // The publisher owns the stream and the execution buckets' settings (TTL, replicas).
  // The spawners make their consumer (with their ACK_WAIT_MS and MAX_DELIVER); the publisher's NATS user may not.
  await ensureExecutionsStream(nc, { replicas, owner: logger, consumer: false });
  const [executionsKv, indexKv, quotaKv, functionsKv, callbackKeysKv, stateKv, triggersKv, tokensKv, rateKv] = await Promise.all([
    openExecutionsBucket(nc, replicas, config.executionTtlMs, logger),
    openBucket(nc, BUCKETS.executionIndex, { replicas, ttlMs: config.executionTtlMs, owner: logger }),
    openBucket(nc, BUCKETS.quotas, { replicas, owner: logger }),
    openBucket(nc, BUCKETS.functions, { replicas }),
    // Read after a rotation: the new key or token at once, never the old one from a lagging replica.
    openBucket(nc, BUCKETS.callbackKeys, { replicas, owner: logger, leaderReads: true }),
    openBucket(nc, BUCKETS.triggerState, { replicas, owner: logger }),
    openBucket(nc, BUCKETS.triggers, { replicas }),
    openBucket(nc, BUCKETS.triggerTokens, { replicas, leaderReads: true }),
    openBucket(nc, USER_REQUESTS_BUCKET, { replicas, ttlMs: USER_REQUESTS_TTL_MS }),
  ]);
  const guard = await openAccountGuard(nc, replicas, await createUserTokenVerifier(nc, config.token, replicas), logger);
  const store = createExecutionStore(executionsKv);
  const index = createExecutionIndex(indexKv);
  const quota = createQuotaStore(quotaKv, {
    ...config.quota,
    overrideFor: (userId) => guard.controls.get(userId)?.maxConcurrent,
    isSettled: executionSettled(store),
  });
  const callbackKeys = createCallbackKeys(callbackKeysKv, config.keyring);
  if (!config.keyring) logger.warn('SECRETS_KEY_FILE is not set: callbacks are sent unsigned and the callback-key API answers 503');
  const callbackQueue = await openCallbackQueue(nc, { replicas, ackWaitMs: config.callbacks.timeoutMs * 2 + 5_000 }, logger);
  const callbacks = callbackQueue.start((pending, delivery) =>
    deliverQueuedCallback({ store, options: config.callbacks, signingKey: callbackKeys.signingKey, logger }, pending, delivery),
  );
  const functions = createFunctionCache({ kv: functionsKv, fallback: createRegistryClient(config.registry), nc, logger });
  const syncWaits = new AbortController();
  // One listener per waiting caller, removed when its wait ends: no limit applies.
  setMaxListeners(0, syncWaits.signal);
  const tracing = startTracing(config.tracing, logger);
  const executionDeps = {
    functions,
    store,
    index,
    quota,
    queue: createWorkQueue(nc),
    checkCallback: (url: string) => checkCallbackUrl(url, config.callbacks),
    enqueueCallback: (pending: PendingCallback) => callbackQueue.enqueue(pending),
    maxArgumentBytes: argumentCap(nc, config.maxArgumentBytes, logger),
    checkInputs: await connectInputCheck(nc, replicas, config.executionTtlMs),
    tracer: tracing.tracer,
    logger,
  };
  // Triggers submit through the same path as clients, as the trigger's owner (docs/triggers.md).
  const fireDeps: FireDeps = { ...executionDeps, functionsKv, accountControl: (userId) => guard.controls.get(userId) };
  const fire = fireTrigger.bind(undefined, fireDeps);
  const triggerWatch = await watchTriggers(triggersKv, logger, () => nc.isClosed() || nc.isDraining());
  const { maxChainDepth, lateAfterMs, checkMs } = config.triggers;
  const chains = { watch: triggerWatch, maxDepth: maxChainDepth, logger, fire: (t: TriggerDefinition, argument: string, ref: TriggerRef, id: string) => fire(t, { argument, ref, id }) };
  const chainConsumer = await consumeFinalRecords(nc, logger, (record) => chainFrom(chains, record));
  const scheduler = config.triggers.scheduler
    ? startScheduler({
        watch: triggerWatch, state: stateKv, intervalMs: checkMs, lateAfterMs, logger, ...(options.now ? { now: options.now } : {}),
        fire: (t, d) => fireSchedule({ ...fireDeps, triggersKv }, t, triggerRefOf(t, { tick: new Date(d.tick).toISOString(), ...(d.missed ? { missed: true } : {}) })),
      })
    : undefined;
  const results = subscribeResults(nc, logger, async (record) => {
    await handleResult({ quota }, record);
  });
  return {
    ...executionDeps,
    callbackKeys,
    webhooks: {
      lookup: kvWebhookLookup(tokensKv, triggersKv),
      hit: kvWebhookRateLimit(rateKv),
      fire: (t, argument, ref, requestId) => fire(t, { argument, ref, requestId }),
    },
    syncWait: config.syncWait,
    syncWaitsEnd: syncWaits.signal,
    endSyncWaits: () => syncWaits.abort(),
    verifyToken: guard.verifyToken,
    tracing,
    ready: natsReadiness(nc, [executionsKv, indexKv, quotaKv, guard.kv]),
    close: () => {
      void scheduler?.stop();
      triggerWatch.stop();
      chainConsumer.stop();
      results.unsubscribe();
      callbacks.stop();
      guard.controls.stop();
      functions.stop();
    },
  };
}
