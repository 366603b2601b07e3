import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageType, connect } from 'nats';
import { NatsServerProcess, freePort } from '../nats-process.js';

export interface NatsCluster {
  readonly servers: readonly NatsServerProcess[];
  readonly urls: readonly string[];
  stop(): Promise<void>;
}

/** Starts an N-node nats-server cluster with JetStream on free loopback ports and temp stores. */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const root = mkdtempSync(join(tmpdir(), 'faas-nats-'));
  const clientPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const clusterPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const servers = clientPorts.map(
    (port, i) =>
      new NatsServerProcess({
        port,
        storeDir: join(root, `n${i}`),
        serverName: `n${i}`,
        cluster: { name: 'faas-test', port: clusterPorts[i] ?? 0, routes: clusterPorts.filter((_, j) => j !== i) },
      }),
  );
  await Promise.all(servers.map((s) => s.start()));
  const urls = servers.map((s) => s.url);
  await waitForJetStream(urls, 30_000, size);
  return {
    servers,
    urls,
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * JetStream answers only once the cluster has elected a meta leader, and places a stream of
 * `replicas` copies only once that many servers have joined the meta group: a probe stream of
 * that size is created and deleted (without it the first R3 bucket of a run could meet
 * "no suitable peers for placement" while the last node was still joining).
 */
export async function waitForJetStream(urls: readonly string[], timeoutMs: number, replicas = 1): Promise<void> {
  const nc = await connect({ servers: [...urls], waitOnFirstConnect: true, maxReconnectAttempts: -1 });
  const deadline = Date.now() + timeoutMs;
  const probe = `READY_PROBE_${Date.now().toString(36)}`;
  try {
    for (;;) {
      try {
        const jsm = await nc.jetstreamManager({ timeout: 1_000 });
        await jsm.getAccountInfo();
        if (replicas > 1) {
          await jsm.streams.add({ name: probe, subjects: [`_probe.${probe}`], num_replicas: replicas, storage: StorageType.Memory });
          await jsm.streams.delete(probe);
        }
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`JetStream not ready after ${timeoutMs} ms`, { cause: err });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await nc.close();
  }
}
