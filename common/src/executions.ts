import type { JetStreamManager, KV, NatsConnection } from 'nats';
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, nanos } from 'nats';
import { BUCKETS, CONSUMERS, STREAMS, SUBJECTS } from './constants.js';
import { ConflictError } from './errors.js';
import { isWrongLastSequence, openBucket } from './kv.js';
import type { Logger } from './logger.js';
import { reconcileStream } from './stream-settings.js';
import type { ExecutionRecord } from './execution-types.js';

export interface ExecutionsSetup {
  readonly replicas: number;
  /** How long a re-published execution id is recognised and dropped. */
  readonly duplicateWindowMs?: number;
  /** How long an unacked message waits before redelivery; spawners extend it with in-progress acks. */
  readonly ackWaitMs?: number;
  readonly maxDeliver?: number;
  /** The stream's owner: an existing stream's replicas, max_age and duplicate window are updated (and logged). */
  readonly owner?: Logger;
  /**
   * false: the stream only. The publisher may not touch the spawners' consumer (its NATS user
   * cannot: common/src/nats-permissions.ts); the spawners make it.
   */
  readonly consumer?: boolean;
}

export const EXECUTION_DEFAULTS = Object.freeze({
  duplicateWindowMs: 10 * 60_000,
  ackWaitMs: 30_000,
  maxDeliver: 3,
  recordTtlMs: 7 * 86_400_000,
  /** A request no spawner took within a day is dropped (the sweeper then ends its record). */
  streamMaxAgeMs: 86_400_000,
});

/**
 * Creates (or leaves as is) the EXECUTIONS work-queue stream and the durable pull consumer all
 * spawners share (unless `consumer: false`). Idempotent, so whichever component starts first sets them up.
 */
export async function ensureExecutionsStream(nc: NatsConnection, setup: ExecutionsSetup): Promise<JetStreamManager> {
  const jsm = await nc.jetstreamManager({ timeout: 10_000 });
  try {
    await jsm.streams.info(STREAMS.executions);
  } catch {
    await jsm.streams
      .add({
        name: STREAMS.executions,
        subjects: [SUBJECTS.execAll],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        num_replicas: setup.replicas,
        duplicate_window: nanos(setup.duplicateWindowMs ?? EXECUTION_DEFAULTS.duplicateWindowMs),
        max_age: nanos(EXECUTION_DEFAULTS.streamMaxAgeMs),
      })
      .catch(async (err: unknown) => {
        // Lost a creation race with another component: fine if it exists now.
        await jsm.streams.info(STREAMS.executions).catch(() => Promise.reject(err));
      });
  }
  if (setup.owner) {
    const settings = {
      replicas: setup.replicas,
      maxAgeMs: EXECUTION_DEFAULTS.streamMaxAgeMs,
      duplicateWindowMs: setup.duplicateWindowMs ?? EXECUTION_DEFAULTS.duplicateWindowMs,
    };
    await reconcileStream(jsm, STREAMS.executions, settings, setup.owner);
  }
  if (setup.consumer === false) return jsm;
  try {
    await jsm.consumers.info(STREAMS.executions, CONSUMERS.spawner);
  } catch {
    await jsm.consumers
      .add(STREAMS.executions, {
        durable_name: CONSUMERS.spawner,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(setup.ackWaitMs ?? EXECUTION_DEFAULTS.ackWaitMs),
        max_deliver: setup.maxDeliver ?? EXECUTION_DEFAULTS.maxDeliver,
        filter_subject: SUBJECTS.execAll,
        max_ack_pending: 10_000,
      })
      .catch(async (err: unknown) => {
        await jsm.consumers.info(STREAMS.executions, CONSUMERS.spawner).catch(() => Promise.reject(err));
      });
  }
  return jsm;
}

export interface ExecutionsBucketOptions {
  readonly ttlMs?: number;
  /** The bucket's owner (the publisher): its TTL and replicas are reconciled to these. */
  readonly owner?: Logger;
  /**
   * Reads from the stream's leader (openBucket's leaderReads): for reads a decision rests on (run
   * it or not, drop a quota hold, how deep a chain is). A client's poll stays on any replica.
   */
  readonly leaderReads?: boolean;
}

export async function openExecutionsBucket(nc: NatsConnection, replicas: number, options: ExecutionsBucketOptions = {}): Promise<KV> {
  const { ttlMs = EXECUTION_DEFAULTS.recordTtlMs, owner, leaderReads } = options;
  return openBucket(nc, BUCKETS.executions, { replicas, ttlMs, ...(owner ? { owner } : {}), ...(leaderReads ? { leaderReads } : {}) });
}

export interface StoredExecution {
  readonly record: ExecutionRecord;
  readonly revision: number;
}

/** The executions KV, shared by the publisher (queued) and the spawners (running, final). */
export interface ExecutionStore {
  create(record: ExecutionRecord): Promise<number>;
  get(id: string): Promise<StoredExecution | undefined>;
  /** Revision-checked write; ConflictError when someone else wrote in between. */
  update(record: ExecutionRecord, revision: number): Promise<number>;
  put(record: ExecutionRecord): Promise<number>;
}

export function createExecutionStore(kv: KV): ExecutionStore {
  const encode = (record: ExecutionRecord): string => JSON.stringify(record);
  return {
    async create(record) {
      try {
        return await kv.create(record.id, encode(record));
      } catch (err) {
        if (isWrongLastSequence(err)) throw new ConflictError(`execution ${record.id} exists`, { cause: err });
        throw err;
      }
    },
    async get(id) {
      const entry = await kv.get(id);
      if (!entry || entry.operation !== 'PUT') return undefined;
      return { record: entry.json<ExecutionRecord>(), revision: entry.revision };
    },
    async update(record, revision) {
      try {
        return await kv.update(record.id, encode(record), revision);
      } catch (err) {
        if (isWrongLastSequence(err)) throw new ConflictError(`execution ${record.id} changed meanwhile`, { cause: err });
        throw err;
      }
    },
    put: (record) => kv.put(record.id, encode(record)),
  };
}
