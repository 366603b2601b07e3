import { createExecutionStore, createUserAdmission, followBucket, natsReadiness, openAccountGuard, startTracing, type Logger } from '@faas/common';
import { setMaxListeners } from 'node:events';
import { KvWatchInclude, type NatsConnection } from 'nats';
import type { PendingCallback } from '../callbacks/callback-queue.js';
import { checkCallbackUrl } from '../callbacks/callbacks.js';
import { startCallbacks } from '../callbacks/start-callbacks.js';
import type { PublisherConfig } from '../config.js';
import { createExecutionIndex } from '../executions/execution-index.js';
import { connectInputCheck } from '../executions/input-check.js';
import { handleResult } from '../executions/results.js';
import { executionSettled } from '../executions/settled-check.js';
import { createWorkQueue, maxRequestBytes, subscribeResults } from '../executions/work-queue.js';
import { createFunctionCache } from '../functions/function-cache.js';
import { kvAddressLimit } from '../functions/http/address-limit.js';
import { createHttpTargets } from '../functions/http/http-targets.js';
import { createRegistryClient } from '../functions/registry-client.js';
import { createQuotaStore } from '../quota/quota-store.js';
import type { FireDeps } from '../triggers/fire-trigger.js';
import { startTriggers } from '../triggers/start-triggers.js';
import type { PublisherDeps } from './app.js';
import { openPublisherBuckets } from './open-buckets.js';

/** MAX_ARGUMENT_BYTES, kept under what one NATS message carries (the request also holds env and names). */
function argumentCap(nc: NatsConnection, configured: number, logger: Logger): number {
  const cap = Math.min(configured, maxRequestBytes(nc) - 64 * 1_024);
  if (cap < configured) logger.warn({ configured, cap, maxPayload: nc.info?.max_payload }, 'MAX_ARGUMENT_BYTES is above the NATS message limit: capped');
  return cap;
}

/** Opens the buckets and stream, starts the (queue-group) result listener and the trigger scheduler. `now`: the scheduler's clock (tests). */
export async function connectPublisherDeps(nc: NatsConnection, config: PublisherConfig, logger: Logger, options: { now?: () => number } = {}): Promise<PublisherDeps> {
  const buckets = await openPublisherBuckets(nc, config, logger);
  const guard = await openAccountGuard(nc, config.natsReplicas, await createUserAdmission(nc, config.token, config.natsReplicas), logger);
  // Decisions read the leader (a lagging replica's "no record" or "not final" is a wrong answer
  // there); a client's poll may be a moment stale and reads any replica.
  const store = createExecutionStore(buckets.executions);
  const overrideFor = (userId: string): number | undefined => guard.controls.get(userId)?.maxConcurrent;
  const quota = createQuotaStore(buckets.quotas, { ...config.quota, overrideFor, isSettled: executionSettled(store) });
  // Other replicas' quota writes (a result's release reaches any of them): the next acquire here needs no read.
  const quotaWatch = followBucket(buckets.quotas, (entry) => quota.observe(entry), {
    what: 'quota watch (until it is back, a write after another replica\'s reads first)',
    logger,
    include: KvWatchInclude.UpdatesOnly,
    closing: () => nc.isClosed(),
  });
  const callbacks = await startCallbacks(nc, { keysKv: buckets.callbackKeys, store, config, logger });
  const functions = createFunctionCache({ kv: buckets.functions, fallback: createRegistryClient(config.registry), nc, logger });
  const syncWaits = new AbortController();
  // One listener per waiting caller, removed when its wait ends: no limit applies.
  setMaxListeners(0, syncWaits.signal);
  const tracing = startTracing(config.tracing, logger);
  const executionDeps = {
    functions, store, quota, logger, reads: createExecutionStore(buckets.executionReads),
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
    admit: guard.admit,
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
      quotaWatch.stop();
    },
  };
}
