import type { NatsCluster } from './nats-cluster.js';
import { startPlatformCluster } from './platform-buckets.js';

/** Mocha global fixture: one real 3-node NATS cluster with JetStream per test run. */
let cluster: NatsCluster | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  cluster = await startPlatformCluster();
  process.env.FAAS_TEST_NATS_URLS = cluster.urls.join(',');
  process.env.FAAS_TEST_NATS_CREDENTIALS = cluster.credentialsDir;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await cluster?.stop();
}
