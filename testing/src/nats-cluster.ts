import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageType, connect } from 'nats';
import { natsAuthorizationConfig, randomNatsPasswords } from '@faas/common';
import { NatsPortTakenError, NatsServerProcess, freePort } from '@faas/common';
import { NATS_SERVICES, natsInboxPrefix, type NatsService } from '@faas/common';
import { MetaGroupStuckError, waitForFullMetaGroup } from './meta-group.js';

export interface NatsCluster {
  readonly servers: readonly NatsServerProcess[];
  readonly urls: readonly string[];
  /** One file per service user (`<dir>/<service>`) holding its password, as NATS_PASSWORD_FILE reads it. */
  readonly credentialsDir: string;
  readonly passwords: Readonly<Record<NatsService, string>>;
  stop(): Promise<void>;
}

/** The user clients without credentials become on a harness cluster (every permission; fixtures only). */
export const FIXTURE_NATS_USER = 'faas-test-fixture';

export interface ClusterOptions {
  /**
   * `fixture` (default): the platform's users and permissions, and clients without credentials
   * are the fixture user. `platform`: exactly the platform's authorization, no anonymous clients.
   */
  readonly authorization?: 'fixture' | 'platform';
}

/** Writes the generated authorization (random passwords) and each service's password file under `root`. */
export function writeAuthorization(root: string, options: ClusterOptions): { configFile: string; credentialsDir: string; passwords: Record<NatsService, string> } {
  const passwords = randomNatsPasswords();
  const credentialsDir = join(root, 'credentials');
  mkdirSync(credentialsDir, { recursive: true });
  for (const service of NATS_SERVICES) writeFileSync(join(credentialsDir, service), passwords[service], { mode: 0o600 });
  const fixtureUser = options.authorization === 'platform' ? undefined : { user: FIXTURE_NATS_USER, password: randomNatsPasswords().auth };
  const configFile = join(root, 'authorization.conf');
  writeFileSync(configFile, natsAuthorizationConfig({ passwords: (s) => ({ literal: passwords[s] }), ...(fixtureUser ? { fixtureUser } : {}) }));
  return { configFile, credentialsDir, passwords };
}

/** Distinct free loopback ports (each from the kernel; none twice). */
async function distinctPorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

/** Fresh starts of one cluster (a port taken before a server bound it, a meta group without a leader). */
const START_ATTEMPTS = 3;
const META_GROUP_MS = 30_000;

/**
 * Starts `size` clustered servers named `<prefix>n<i>` under a cluster name of the caller's (a
 * name per cluster: a node of another run still dialling a route port it had must not join this
 * one). A port from freePort can be taken by another process before the server binds it (the
 * server then exits at start, NatsPortTakenError): every server is stopped and the cluster
 * started again on new ports, up to START_ATTEMPTS times. Resolves once every server is in the
 * JetStream meta group (a server left out is restarted: meta-group.ts); a group that elects no
 * leader at all (MetaGroupStuckError) is started again the same way, on new ports and new stores.
 */
export async function startClusterServers(o: { root: string; name: string; prefix: string; size: number; configFile: string }): Promise<NatsServerProcess[]> {
  for (let attempt = 1; ; attempt++) {
    const ports = await distinctPorts(o.size * 3);
    const servers = ports.slice(0, o.size).map(
      (port, i) =>
        new NatsServerProcess({
          port,
          storeDir: join(o.root, `a${attempt}`, `n${i}`),
          serverName: `${o.prefix}n${i}`,
          configFile: o.configFile,
          monitorPort: ports[2 * o.size + i] ?? 0,
          cluster: { name: o.name, port: ports[o.size + i] ?? 0, routes: ports.slice(o.size, 2 * o.size).filter((_, j) => j !== i) },
        }),
    );
    const started = await Promise.allSettled(servers.map((s) => s.start()));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) {
      try {
        await waitForFullMetaGroup(servers, META_GROUP_MS, (name) => process.stderr.write(`harness: nats-server ${name} was left out of the JetStream meta group; restarted it\n`));
        return servers;
      } catch (err) {
        await Promise.all(servers.map((s) => s.stop())); // nothing of a cluster that never became whole outlives the call
        if (!(err instanceof MetaGroupStuckError) || attempt === START_ATTEMPTS) throw err;
        process.stderr.write(`harness: ${err.message}; started the cluster again on new ports and stores\n`);
        continue;
      }
    }
    await Promise.all(servers.map((s) => s.stop()));
    if (!(failed.reason instanceof NatsPortTakenError) || attempt === START_ATTEMPTS) throw failed.reason;
  }
}

/**
 * Starts an N-node nats-server cluster with JetStream on free loopback ports and temp stores,
 * with the platform's NATS authorization (common/src/nats-permissions.ts).
 */
export async function startNatsCluster(size = 3, options: ClusterOptions = {}): Promise<NatsCluster> {
  const root = mkdtempSync(join(tmpdir(), 'faas-nats-'));
  const { configFile, credentialsDir, passwords } = writeAuthorization(root, options);
  const servers = await startClusterServers({ root, name: `faas-test-${randomBytes(3).toString('hex')}`, prefix: '', size, configFile });
  const urls = servers.map((s) => s.url);
  if (options.authorization === 'platform') {
    // No user may make the probe stream: only the meta leader is awaited (callers retry placement).
    await waitForJetStream(urls, 30_000, 1, { user: 'publisher', pass: passwords.publisher, inboxPrefix: natsInboxPrefix('publisher') });
  } else {
    await waitForJetStream(urls, 30_000, size);
  }
  return {
    servers,
    urls,
    credentialsDir,
    passwords,
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
export async function waitForJetStream(
  urls: readonly string[],
  timeoutMs: number,
  replicas = 1,
  auth: { user?: string; pass?: string; inboxPrefix?: string } = {},
): Promise<void> {
  const nc = await connect({ servers: [...urls], waitOnFirstConnect: true, maxReconnectAttempts: -1, ...auth });
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
