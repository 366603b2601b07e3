import { BUCKETS, USER_REQUESTS_BUCKET, USER_REQUESTS_TTL_MS, connectNats, createLogger, openBucket, openExecutionsBucket, openObjectBucket } from '@faas/common';
import { startNatsCluster, type NatsCluster } from './nats-cluster.js';

/**
 * Only a bucket's owner may create it (common/src/nats-permissions.ts); a service that finds it
 * missing waits for the owner. A test starts one service alone, so the harness makes the buckets
 * others own first, as a running stack would have them (the owner under test still sets their limits).
 */
export async function createPlatformBuckets(urls: readonly string[]): Promise<void> {
  const nc = await connectNats({ servers: [...urls], name: 'faas-test-buckets', logger: createLogger('buckets', 'silent') });
  try {
    const replicas = 3;
    await Promise.all([
      ...[BUCKETS.accounts, BUCKETS.functions, BUCKETS.secrets, BUCKETS.triggers, BUCKETS.triggerTokens, BUCKETS.objectUsage].map((b) => openBucket(nc, b, { replicas })),
      openExecutionsBucket(nc, replicas),
      openBucket(nc, USER_REQUESTS_BUCKET, { replicas, ttlMs: USER_REQUESTS_TTL_MS }),
      openObjectBucket(nc, BUCKETS.objects, { replicas, index: BUCKETS.objectIndex }),
      openObjectBucket(nc, BUCKETS.outputs, { replicas, index: BUCKETS.outputIndex }),
    ]);
  } finally {
    await nc.close();
  }
}

/**
 * A 3-node cluster with the platform's buckets, as the mocha global fixture makes for the suite.
 * A test that counts what its own service does takes one of its own: on the shared cluster,
 * another test's execution (handed back, or redelivered after its spawner stopped) can reach it.
 */
export async function startPlatformCluster(): Promise<NatsCluster> {
  const cluster = await startNatsCluster(3);
  try {
    await createPlatformBuckets(cluster.urls);
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
