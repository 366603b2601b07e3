/** The spawner's start-up steps: the queue, the buckets it reads, the supervisor binary. */
import { readFile } from 'node:fs/promises';
import {
  BUCKETS,
  CONSUMERS,
  STREAMS,
  createExecutionStore,
  ensureExecutionsStream,
  openAccountControls,
  openExecutionsBucket,
  openObjectBucket,
  openObjectUsage,
  retryPassing,
  uploadsUsage,
  type AccountControls,
  type ExecutionStore,
  type Logger,
} from '@faas/common';
import type { JetStreamManager, KV, NatsConnection } from 'nats';
import type { SpawnerConfig } from './config.js';
import type { RunExecutionPorts } from './domain/run-execution.js';
import type { WarmConfig } from './infra/warm/warm-execution.js';
import { bucketObjectFiles } from './infra/object-files.js';
import { openLeaseBucket } from './infra/lease-store.js';

const SETUP_PATIENCE_MS = 30_000;

export interface QueueSetup {
  readonly jsm: JetStreamManager;
  /** The executions bucket, read from its leader. */
  readonly kv: KV;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  /** The execution-leases bucket (this service owns its settings). */
  readonly leases: KV;
}

/** Stream, consumer and buckets, created if this is the first component up; the consumer's own settings win. */
export async function setUpQueue(nc: NatsConnection, config: SpawnerConfig, logger: Logger): Promise<QueueSetup> {
  const jsm = await ensureExecutionsStream(nc, { replicas: config.natsReplicas, ackWaitMs: config.ackWaitMs, maxDeliver: config.maxDeliver });
  // Every read of a record here decides something (run it or not, keep or replace a record, end
  // it as stuck) and is followed by a write that needs the leader anyway: a replica that has not
  // applied the last final record would have the function run again.
  const kv = await openExecutionsBucket(nc, config.natsReplicas, { leaderReads: true });
  const leases = await openLeaseBucket(nc, config.natsReplicas, logger);
  const info = await jsm.consumers.info(STREAMS.executions, CONSUMERS.spawner);
  const ackWaitMs = info.config.ack_wait ? info.config.ack_wait / 1e6 : config.ackWaitMs;
  return { jsm, kv, ackWaitMs, maxDeliver: info.config.max_deliver ?? config.maxDeliver, leases };
}

/**
 * The records as the spawner reads them: from the leader, and a read that meets a leader election
 * is retried (a direct get would have been answered meanwhile; a failed read would hand the
 * message back and spend one of its deliveries).
 */
export function recordStore(kv: KV): ExecutionStore {
  const store = createExecutionStore(kv);
  return { ...store, get: (id) => retryPassing(() => store.get(id)) };
}

/** Inputs come from the uploads bucket; outputs go to the outputs bucket, which expires with the records. */
export async function openFiles(nc: NatsConnection, config: SpawnerConfig): Promise<RunExecutionPorts['files']> {
  const [uploads, outputs] = await Promise.all([
    // Its index is read to seed a user's storage usage (uploadsUsage); the spawner writes no upload.
    openObjectBucket(nc, BUCKETS.objects, { replicas: config.natsReplicas, index: BUCKETS.objectIndex }),
    openObjectBucket(nc, BUCKETS.outputs, { replicas: config.natsReplicas, ttlMs: config.files.outputsTtlMs, index: BUCKETS.outputIndex }),
  ]);
  const usage = await openObjectUsage(nc, { replicas: config.natsReplicas, outputsTtlMs: config.files.outputsTtlMs, seed: uploadsUsage(uploads) });
  return { objects: bucketObjectFiles({ uploads, outputs }, { usage, limits: config.files.perUser }), limits: config.files.limits };
}

/** Which users are disabled or deleted (auth writes `accounts`; every spawner follows it). */
export async function followAccounts(nc: NatsConnection, config: SpawnerConfig, logger: Logger): Promise<AccountControls> {
  return (await openAccountControls(nc, config.natsReplicas, logger)).controls;
}

/** The supervisor binary, or undefined (with a warning) when it was not built: every run is then cold. */
export async function loadWarmConfig(config: SpawnerConfig, logger: Logger): Promise<WarmConfig | undefined> {
  const { supervisorBinary, ...warm } = config.warm;
  try {
    return { ...warm, supervisor: await readFile(supervisorBinary) };
  } catch (err) {
    logger.warn({ err, supervisorBinary }, 'no supervisor binary: warm execution is off, every run is cold');
    return undefined;
  }
}

/**
 * JetStream answers "no suitable peers" or times out while a fresh or loaded cluster is still
 * forming: each start-up step that makes or opens a stream or bucket waits for it, up to
 * SETUP_PATIENCE_MS, instead of letting the spawner exit at start.
 */
export async function patiently<T>(what: string, setUp: () => Promise<T>, logger: Logger): Promise<T> {
  const deadline = Date.now() + SETUP_PATIENCE_MS;
  for (;;) {
    try {
      return await setUp();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      logger.warn({ err }, `${what} not ready yet; retrying`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

