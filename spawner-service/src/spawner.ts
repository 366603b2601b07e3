import Docker from 'dockerode';
import { BUCKETS, CONSUMERS, STREAMS, natsReadiness, openBucket, startTracing, type Logger } from '@faas/common';
import type { NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import type { SpawnerConfig } from './config.js';
import { abandonExecution } from './domain/abandon-execution.js';
import { startConsumerLoop } from './infra/consumer-loop.js';
import { createDockerRunner } from './infra/docker-runner.js';
import { watchFunctionChanges } from './infra/function-changes.js';
import { startImageGc, type ImageGc } from './infra/image-gc.js';
import { kvFunctionSource } from './infra/function-source.js';
import { createExecutionHandler, natsResultPublisher } from './infra/execution-handler.js';
import { createSecretResolver } from './infra/secret-resolver.js';
import { watchMaxDeliveries } from './infra/max-deliveries.js';
import { startSweeper } from './infra/sweeper.js';
import { createSpawnerMetrics } from './infra/spawner-metrics.js';
import { leaseSettings } from './infra/lease-store.js';
import { followAccounts, loadWarmConfig, openFiles, patiently, recordStore, setUpQueue } from './start-up.js';
import { registerQueueDepth } from './infra/queue-depth.js';

export interface SpawnerDeps {
  readonly nc: NatsConnection;
  readonly config: SpawnerConfig;
  readonly logger: Logger;
  /** Defaults to the engine at config.dockerSocket. */
  readonly docker?: Docker;
  /** Where the spawner's metrics go (common's createMetrics() result fits); a private registry otherwise. */
  readonly metrics?: { readonly registry: Registry };
}

export interface Spawner {
  /** Stops fetching, lets running executions finish within config.shutdownGraceMs, then removes what is left. */
  stop(): Promise<void>;
  /** Executions running now. */
  busy(): number;
  /** Throws unless NATS, the executions bucket and the Docker engine answer. */
  ready(): Promise<void>;
  /** Ends records stuck `queued`/`running` whose request is gone, if this spawner holds the sweep lease (also every STUCK_SWEEP_MS). */
  sweepStuck(): Promise<number | undefined>;
  /** Removes pulled images no function references (also every IMAGE_GC_INTERVAL_SECONDS). */
  readonly imageGc: ImageGc;
}

const MIN_HEARTBEAT_MS = 500;
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Room for KV and message headers beside the JSON record. */
const RECORD_HEADROOM_BYTES = 8 * 1024;

/** One spawner: a consumer of the shared `spawner` durable, running up to maxContainers at once. */
export async function startSpawner(deps: SpawnerDeps): Promise<Spawner> {
  const { nc, config } = deps;
  const logger = deps.logger.child({ spawner: config.spawnerId });
  const registry = deps.metrics?.registry ?? new Registry();
  const metrics = createSpawnerMetrics(registry, config.maxContainers, config.metricsFunctionLabels, config.metricsFunctionLabelsPerUser);
  const queue = await patiently('executions stream', () => setUpQueue(nc, config, logger), logger);
  registerQueueDepth(registry, queue.jsm, logger);
  const tracing = startTracing(config.tracing, logger);
  const docker = deps.docker ?? new Docker({ socketPath: config.dockerSocket });
  const runner = createDockerRunner({
    docker,
    sandbox: config.sandbox,
    spawnerId: config.spawnerId,
    logger,
    images: config.images,
    warm: await loadWarmConfig(config, logger),
    onWarmStart: (hit) => metrics.warmStarts.inc({ kind: hit ? 'hit' : 'new' }),
    warmPoolEvents: {
      evicted: () => metrics.warmEvictions.inc(),
      coldStarted: (afterEviction) => afterEviction && metrics.warmStartsAfterEviction.inc(),
      waited: (served) => metrics.warmWaits.inc({ outcome: served ? 'served' : 'started' }),
    },
  });
  // An updated or deleted function's idle containers are removed at once (they could never be
  // taken again: the key carries the revision), instead of waiting for the idle timeout.
  const functionChanges = runner.warm
    ? watchFunctionChanges(nc, logger, (change) =>
        runner.warm?.evict(
          (tags) => tags.userId === change.userId && tags.functionName === change.name && tags.revision !== change.revision,
          change.revision === undefined ? 'function deleted' : 'function updated',
        ),
      )
    : undefined;
  // Following from the start (when the registry made the bucket already), so no change is missed.
  await Promise.race([functionChanges?.firstAttempt, new Promise((r) => setTimeout(r, 2_000).unref())]);
  const imageGc = startImageGc({ docker, nc, pulled: runner.images.pulled, forget: runner.images.forget, ...config.imageGc, logger });
  const orphanPolicy = {
    spawnerId: config.spawnerId,
    stoppedGraceMs: config.orphanGraceMs,
    runningMaxMs: config.sandbox.ceilings.timeoutSeconds * 1000 + config.orphanGraceMs,
  };
  const removeOrphans = (atStart: boolean): Promise<unknown> =>
    runner.removeOrphans(orphanPolicy, atStart).catch((err: unknown) => logger.error({ err }, 'orphan sweep failed'));
  // An engine that is down now may be back by the first execution (those are retried); /ready tells.
  await removeOrphans(true);
  const sweeper = setInterval(() => void removeOrphans(false), config.orphanSweepMs);
  sweeper.unref();

  const store = recordStore(queue.kv);
  const results = natsResultPublisher(nc);
  const advisories = watchMaxDeliveries({
    nc,
    jsm: queue.jsm,
    logger,
    onAbandoned: (request, deliveries) => abandonExecution({ store, results, logger }, request, deliveries),
  });
  const stuck = await patiently('the sweeper bucket', () => startSweeper({
    nc, jsm: queue.jsm, records: queue.kv, store, results, spawnerId: config.spawnerId, replicas: config.natsReplicas, ...config.stuckSweep, logger,
  }), logger);
  const maxRecordBytes = (nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - RECORD_HEADROOM_BYTES;
  const secrets = config.keyring
    ? createSecretResolver(await patiently('the secrets bucket', () => openBucket(nc, BUCKETS.secrets, { replicas: config.natsReplicas, leaderReads: true }), logger), config.keyring)
    : undefined;
  const files = await patiently('the object buckets', () => openFiles(nc, config), logger);
  const accounts = await patiently('the accounts bucket', () => followAccounts(nc, config, logger), logger);
  const heartbeatMs = Math.max(MIN_HEARTBEAT_MS, Math.floor(queue.ackWaitMs / 3));
  const leases = leaseSettings({ kv: queue.leases, config, logger, heartbeatMs, metrics });
  const ports = {
    store, runner, results, functions: kvFunctionSource(nc), ...(secrets ? { secrets } : {}), policy: config.sandbox, spawnerId: config.spawnerId, maxRecordBytes, logger,
    deadlineBeyondTimeoutMs: config.deadlineBeyondTimeoutMs,
    runningDelayMs: config.runningDelayMs, files, leases, accounts,
  };
  const loop = startConsumerLoop({
    consumer: await nc.jetstream().consumers.get(STREAMS.executions, CONSUMERS.spawner),
    maxContainers: config.maxContainers,
    heartbeatMs,
    // The longest deadline any delivery can have: no message is kept in progress past it.
    heartbeatForMs: config.sandbox.ceilings.timeoutSeconds * 1000 + config.deadlineBeyondTimeoutMs,
    handle: createExecutionHandler({ ports, maxDeliver: queue.maxDeliver, nakDelayMs: config.nakDelayMs, metrics, tracer: tracing.tracer, logger }),
    onBusyChange: (busy) => metrics.busySlots.set(busy),
    logger,
  });
  logger.info({ maxContainers: config.maxContainers, ackWaitMs: queue.ackWaitMs, maxDeliver: queue.maxDeliver, leaseMs: config.leaseMs }, 'spawner started');

  const natsReady = natsReadiness(nc, [queue.kv, queue.leases]);
  return {
    busy: loop.busy,
    imageGc,
    sweepStuck: () => stuck.sweepOnce(),
    async ready() {
      await natsReady();
      await runner.ping();
    },
    async stop() {
      advisories.unsubscribe();
      accounts.stop();
      await stuck.stop();
      functionChanges?.stop();
      imageGc.stop();
      clearInterval(sweeper);
      if (!(await loop.stop(config.shutdownGraceMs))) {
        logger.warn({ graceMs: config.shutdownGraceMs, busy: loop.busy() }, 'grace period over: removing running containers');
        await removeOrphans(true);
      }
      await runner.close();
      await tracing.shutdown();
      logger.info('spawner stopped');
    },
  };
}
