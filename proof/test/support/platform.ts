import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect, type NatsConnection } from 'nats';
import { ensureExecutionsStream } from '@faas/common';
import { LOOPBACK_EXEMPT, TEST_LABEL, eventually, tempSecretFile, tempSecretsKeyFile } from '@faas/testing';
import { startProofCluster, type ProofCluster } from './nats-cluster.js';
import { ServiceProcess } from './processes.js';
import { proofSupervisor, removeProofSupervisor, type ProofSupervisor } from './supervisor-build.js';

/** Short enough that a redelivery after a crash comes within seconds, long enough for in-progress acks. */
export const ACK_WAIT_MS = 4_000;
export const SPAWNER_COUNT = 2;
export const MAX_CONTAINERS = 4;
/** The spawners' pull cap: the silent-registry scenario waits this long per execution. */
export const PULL_TIMEOUT_SECONDS = 3;

export interface ProofPlatform {
  /** Unique to this run: on every container our spawners start (`faas.proof.run=<runId>`). */
  readonly runId: string;
  readonly cluster: ProofCluster;
  readonly secretFile: string;
  /** The first admin (ADMIN_USERNAME and ADMIN_PASSWORD_FILE of the auth service). */
  readonly admin: { readonly username: string; readonly password: string };
  readonly auth: ServiceProcess;
  readonly registry: ServiceProcess;
  readonly publishers: ServiceProcess[];
  readonly spawners: ServiceProcess[];
  /** The spawners' supervisor build, unique to this run: its volume is new when the suite starts. */
  readonly supervisor: ProofSupervisor;
  /** The test's own connection, for observing results and stream state. */
  readonly nc: NatsConnection;
  /** Another publisher process; `env` adds to (or overrides) its environment. */
  addPublisher(env?: Readonly<Record<string, string>>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

let started: Promise<ProofPlatform> | undefined;

/** One platform for the whole suite: its own 3-node cluster, so node loss disturbs no one else. */
export function proofPlatform(): Promise<ProofPlatform> {
  started ??= startProofPlatform();
  return started;
}

export async function stopProofPlatform(): Promise<void> {
  if (!started) return;
  const platform = await started.catch(() => undefined);
  await platform?.stop();
}

async function startProofPlatform(): Promise<ProofPlatform> {
  const runId = `proof-${randomBytes(4).toString('hex')}`;
  const { cluster, nc } = await startClusterWithStream(runId);
  const secretFile = tempSecretFile();
  const common = { NATS_URL: cluster.urls.join(','), NATS_REPLICAS: '3', JWT_SECRET_FILE: secretFile, SECRETS_KEY_FILE: tempSecretsKeyFile() };
  const admin = { username: `${runId}-admin`, password: randomBytes(12).toString('hex') };
  const adminPasswordFile = `${secretFile}-admin`;
  writeFileSync(adminPasswordFile, admin.password);

  const [auth, registry] = await Promise.all([
    ServiceProcess.start({ workspace: 'auth-service', name: 'auth', readyPath: '/auth/ready', env: { ...common, ...cluster.serviceEnv('auth'), BCRYPT_COST: '4', ...LOOPBACK_EXEMPT, ADMIN_USERNAME: admin.username, ADMIN_PASSWORD_FILE: adminPasswordFile } }),
    ServiceProcess.start({ workspace: 'registry-service', name: 'registry', readyPath: '/registry/ready', env: { ...common, ...cluster.serviceEnv('registry') } }),
  ]);
  const publishers: ServiceProcess[] = [];
  const addPublisher = async (env: Readonly<Record<string, string>> = {}): Promise<ServiceProcess> => {
    const publisher = await ServiceProcess.start({
      workspace: 'publisher-service',
      name: `publisher-${publishers.length + 1}`,
      readyPath: '/publisher/ready',
      env: { ...common, ...cluster.serviceEnv('publisher'), REGISTRY_URL: registry.url, MAX_CONCURRENT_PER_USER: '1000', ...env },
    });
    publishers.push(publisher);
    return publisher;
  };
  await addPublisher();
  const supervisor = proofSupervisor(runId);
  const spawners = await Promise.all(
    Array.from({ length: SPAWNER_COUNT }, (_, i) =>
      ServiceProcess.start({
        workspace: 'spawner-service',
        name: `spawner-${i + 1}`,
        readyPath: '/ready',
        env: {
          ...common,
          ...cluster.serviceEnv('spawner'),
          SPAWNER_ID: `${runId}-s${i + 1}`,
          MAX_CONTAINERS: String(MAX_CONTAINERS),
          ACK_WAIT_MS: String(ACK_WAIT_MS),
          MAX_DELIVER: '5',
          NAK_DELAY_MS: '500',
          SHUTDOWN_GRACE_MS: '15000',
          // The registry refuses internal registry hosts; the spawners allow them so the
          // silent-registry scenario can stand a loopback registry in for a slow public one.
          ALLOW_PRIVATE_REGISTRIES: 'true',
          PULL_TIMEOUT_SECONDS: String(PULL_TIMEOUT_SECONDS),
          // Debug: warm runs are counted from the spawners' "warm run started" lines.
          LOG_LEVEL: 'debug',
          CONTAINER_LABELS: `${TEST_LABEL}=1,faas.proof.run=${runId}`,
          SUPERVISOR_BINARY: supervisor.path,
        },
      }),
    ),
  );

  return {
    runId,
    cluster,
    secretFile,
    admin,
    auth,
    registry,
    publishers,
    spawners,
    supervisor,
    nc,
    addPublisher,
    async stop() {
      await Promise.all([...spawners, ...publishers, auth, registry].map((s) => s.stop('SIGTERM')));
      await nc.close();
      await cluster.stop();
      await removeProofSupervisor(supervisor);
    },
  };
}

/**
 * A 3-node cluster with the EXECUTIONS stream and consumer in place (created here, before any
 * service, so the consumer gets the suite's short ack wait). A cluster whose routes never form
 * (a free port taken by another process meanwhile) is replaced, at most twice.
 */
async function startClusterWithStream(runId: string): Promise<{ cluster: ProofCluster; nc: NatsConnection }> {
  for (let attempt = 1; ; attempt++) {
    let cluster: ProofCluster;
    try {
      cluster = await startProofCluster(`${runId}-${attempt}`);
    } catch (err) {
      if (attempt === 3) throw err;
      continue;
    }
    const nc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 250, name: 'proof-observer' });
    try {
      await eventually(() => ensureExecutionsStream(nc, { replicas: 3, ackWaitMs: ACK_WAIT_MS, maxDeliver: 5 }).then(() => true), 20_000, 250);
      return { cluster, nc };
    } catch (err) {
      await nc.close();
      await cluster.stop();
      if (attempt === 3) throw err;
    }
  }
}
