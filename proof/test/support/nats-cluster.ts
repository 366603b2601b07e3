import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsService } from '@faas/common';
import { startClusterServers, waitForJetStream, writeAuthorization, type NatsServerProcess } from '@faas/testing';

export interface ProofCluster {
  readonly servers: readonly NatsServerProcess[];
  readonly urls: readonly string[];
  /** The env a service process reads to connect as its own NATS user (the platform's permissions). */
  serviceEnv(service: NatsService): { NATS_USER: string; NATS_PASSWORD_FILE: string };
  stop(): Promise<void>;
}

/** A 3-node cluster like the harness's startNatsCluster, named by the scenario. */
export async function startProofCluster(name: string, size = 3): Promise<ProofCluster> {
  const root = mkdtempSync(join(tmpdir(), 'faas-proof-nats-'));
  // The platform's NATS authorization; the observers, with no credentials, are the fixture user.
  const { configFile, credentialsDir } = writeAuthorization(root, {});
  const servers = await startClusterServers({ root, name, prefix: `${name}-`, size, configFile });
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitForJetStream(servers.map((s) => s.url), 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const serviceEnv = (service: NatsService) => ({ NATS_USER: service, NATS_PASSWORD_FILE: join(credentialsDir, service) });
  return { servers, urls: servers.map((s) => s.url), serviceEnv, stop };
}
