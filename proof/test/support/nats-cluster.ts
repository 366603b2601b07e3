import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsService } from '@faas/common';
import { NatsServerProcess, freePort, waitForJetStream, writeAuthorization } from '@faas/testing';

export interface ProofCluster {
  readonly servers: readonly NatsServerProcess[];
  readonly urls: readonly string[];
  /** The env a service process reads to connect as its own NATS user (the platform's permissions). */
  serviceEnv(service: NatsService): { NATS_USER: string; NATS_PASSWORD_FILE: string };
  stop(): Promise<void>;
}

/**
 * A 3-node cluster like common's startNatsCluster, but with a cluster name of its own: other
 * suites on this machine start and kill `faas-test` clusters on recycled loopback ports, and a
 * node of theirs still dialling a dead route must not be able to join ours.
 */
export async function startProofCluster(name: string, size = 3): Promise<ProofCluster> {
  const root = mkdtempSync(join(tmpdir(), 'faas-proof-nats-'));
  // The platform's NATS authorization; the observers, with no credentials, are the fixture user.
  const { configFile, credentialsDir } = writeAuthorization(root, {});
  const ports: number[] = [];
  while (ports.length < size * 2) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const clientPorts = ports.slice(0, size);
  const clusterPorts = ports.slice(size);
  const servers = clientPorts.map(
    (port, i) =>
      new NatsServerProcess({
        port,
        storeDir: join(root, `n${i}`),
        serverName: `${name}-n${i}`,
        configFile,
        cluster: { name, port: clusterPorts[i] ?? 0, routes: clusterPorts.filter((_, j) => j !== i) },
      }),
  );
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(servers.map((s) => s.start()));
    await waitForJetStream(servers.map((s) => s.url), 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const serviceEnv = (service: NatsService) => ({ NATS_USER: service, NATS_PASSWORD_FILE: join(credentialsDir, service) });
  return { servers, urls: servers.map((s) => s.url), serviceEnv, stop };
}
