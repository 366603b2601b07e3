import { BUCKETS, conflictOnRace, openBucket, type Logger } from '@faas/common';
import type { KV, NatsConnection } from 'nats';
import { newInstanceId, type Lease, type LeaseSettings, type LeaseStore } from '../domain/execution-lease.js';
import type { SpawnerConfig } from '../config.js';
import type { SpawnerMetrics } from './spawner-metrics.js';

/**
 * Leases are deleted when their run ends; one whose spawner died stays until a waiting delivery
 * takes it over, or until this TTL drops it (longer than any run: MAX_TIMEOUT_SECONDS is at most an hour).
 */
const LEASE_BUCKET_TTL_MS = 2 * 3_600_000;
/** How often a delivery waiting for another live run looks at its lease. */
const LEASE_POLL_MS = 1_000;

/** The spawners own the `execution-leases` bucket: its settings are declared here and nowhere else. */
export async function openLeaseBucket(nc: NatsConnection, replicas: number, owner: Logger): Promise<KV> {
  // Read from the leader: a lease decision (taken, held, released) read from a replica behind saw a
  // released lease as held, and the client's create over its tombstone was refused (stop 35 hunt).
  return openBucket(nc, BUCKETS.executionLeases, { replicas, ttlMs: LEASE_BUCKET_TTL_MS, owner, leaderReads: true });
}

export function kvLeaseStore(kv: KV): LeaseStore {
  return {
    async get(id) {
      const entry = await kv.get(id);
      if (!entry || entry.operation !== 'PUT') return undefined;
      return { lease: entry.json<Lease>(), revision: entry.revision };
    },
    create: (id, lease) => conflictOnRace(() => kv.create(id, JSON.stringify(lease)), `lease of ${id} exists`),
    update: (id, lease, revision) => conflictOnRace(() => kv.update(id, JSON.stringify(lease), revision), `lease of ${id} changed meanwhile`),
    async remove(id, revision) {
      await conflictOnRace(() => kv.delete(id, { previousSeq: revision }), `lease of ${id} changed meanwhile`);
    },
  };
}

export interface LeaseDeps {
  readonly kv: KV;
  readonly config: SpawnerConfig;
  readonly logger: Logger;
  /** The in-progress ack cadence: leases are renewed with it. */
  readonly heartbeatMs: number;
  readonly metrics: SpawnerMetrics;
}

/** This spawner process's lease settings (a new instance id per process). */
export function leaseSettings(deps: LeaseDeps): LeaseSettings {
  const { config, metrics } = deps;
  return {
    store: kvLeaseStore(deps.kv),
    spawnerId: config.spawnerId,
    instance: newInstanceId(),
    ttlMs: config.leaseMs,
    // Renewed with the in-progress acks, and at least 4 times per lease.
    renewMs: Math.min(deps.heartbeatMs, Math.floor(config.leaseMs / 4)),
    pollMs: Math.min(LEASE_POLL_MS, Math.floor(config.leaseMs / 4)),
    logger: deps.logger,
    onWait: () => metrics.leaseWaits.inc(),
    onTakeover: () => metrics.leaseTakeovers.inc(),
  };
}
