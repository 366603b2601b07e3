import { startNatsCluster, type NatsCluster } from './nats-cluster.js';
import { createPlatformBuckets } from './platform-buckets.js';

/** Mocha global fixture: one real 3-node NATS cluster with JetStream per test run. */
let cluster: NatsCluster | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  cluster = await startNatsCluster(3);
  await createPlatformBuckets(cluster.urls);
  process.env.FAAS_TEST_NATS_URLS = cluster.urls.join(',');
  process.env.FAAS_TEST_NATS_CREDENTIALS = cluster.credentialsDir;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await cluster?.stop();
}
