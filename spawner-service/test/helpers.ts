import { createHash } from 'node:crypto';
import Docker from 'dockerode';
import {
  BUCKETS,
  openBucket,
  retryPassing,
  type FunctionDefinition,
  FINAL_STATUSES,
  SUBJECTS,
  connectNats,
  createExecutionStore,
  createLogger,
  ensureExecutionsStream,
  openExecutionsBucket,
  type ExecutionRecord,
  type ExecutionRequest,
  type ExecutionStore,
  type FunctionLimits,
} from '@faas/common';
import { join } from 'node:path';
import { TEST_LABEL, buildFunctionImage, eventually, startPlatformCluster, testNatsServiceEnv, testNatsUrls, uniqueName } from '@faas/testing';
import type { NatsConnection, PubAck } from 'nats';
import { Registry } from 'prom-client';
import { loadSpawnerConfig, type SpawnerConfig } from '../src/config.js';
import { startSpawner, type Spawner } from '../src/spawner.js';

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

/** This mocha process: other runs of the same suite may share the Docker engine at the same time. */
export const TEST_RUN = uniqueName('run');
export const TEST_RUN_LABEL = `faas.test.run=${TEST_RUN}`;

/** Labels on every container a test spawner starts: the sweep and the leftover checks find them. */
export const TEST_CONTAINER_LABELS = `${TEST_LABEL}=1,faas.test.suite=spawner,${TEST_RUN_LABEL}`;

export interface SpawnerUnderTest {
  readonly spawner: Spawner;
  readonly config: SpawnerConfig;
  readonly nc: NatsConnection;
  readonly store: ExecutionStore;
  readonly registry: Registry;
  close(): Promise<void>;
}

export function testSpawnerEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL: testNatsUrls().join(','),
    // The spawner's own NATS user: what it does runs under the stack's permissions.
    ...testNatsServiceEnv('spawner'),
    SPAWNER_ID: uniqueName('faas-test-sp'),
    LOG_LEVEL: process.env.SPAWNER_TEST_LOG_LEVEL ?? 'silent',
    CONTAINER_LABELS: TEST_CONTAINER_LABELS,
    NAK_DELAY_MS: '500',
    SHUTDOWN_GRACE_MS: '20000',
    STUCK_SWEEP_MS: '2000',
    ...env,
  };
}

/** A real in-process spawner against the test cluster and the local Docker engine. */
export async function startTestSpawner(env: Record<string, string> = {}, engine: Docker = docker): Promise<SpawnerUnderTest> {
  const config = loadSpawnerConfig(testSpawnerEnv(env));
  const logger = createLogger('spawner-test', config.logLevel);
  const own = await connectNats({ servers: config.natsUrls, name: config.spawnerId, logger, auth: config.natsAuth });
  // The tests' own connection (the harness's fixture user): they set up what the registry or a publisher would.
  const nc = await connectNats({ servers: config.natsUrls, name: `${config.spawnerId}-fixture`, logger });
  const registry = new Registry();
  const spawner = await startSpawner({ nc: own, config, logger, docker: engine, metrics: { registry } });
  const store = createExecutionStore(await openExecutionsBucket(nc, config.natsReplicas, { leaderReads: true }));
  return {
    spawner,
    config,
    nc,
    store,
    registry,
    async close() {
      await spawner.stop();
      await Promise.all([own.drain(), nc.drain()]);
    },
  };
}

/**
 * A spawner on a NATS cluster of its own (with the platform's buckets), for tests that count what
 * their spawner does: on the suite's shared cluster, another test's execution (handed back, or
 * redelivered after its spawner stopped) can be delivered to it, start a container and take a
 * pool slot. `close` stops the cluster too.
 */
export async function startIsolatedSpawner(env: Record<string, string> = {}): Promise<SpawnerUnderTest> {
  const cluster = await startPlatformCluster();
  try {
    const own = { NATS_URL: cluster.urls.join(','), NATS_USER: 'spawner', NATS_PASSWORD_FILE: join(cluster.credentialsDir, 'spawner') };
    const sut = await startTestSpawner({ ...env, ...own });
    return {
      ...sut,
      async close() {
        try {
          await sut.close();
        } finally {
          await cluster.stop();
        }
      },
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

export const IMAGES = Object.freeze({
  echo: 'faas-test-sp-echo:latest',
  upper: 'faas-test-sp-upper:latest',
  fail: 'faas-test-sp-fail:latest',
  sleep: 'faas-test-sp-sleep:latest',
});

export async function buildImages(scripts: Readonly<Record<string, string>>): Promise<void> {
  await Promise.all(Object.entries(scripts).map(([tag, script]) => buildFunctionImage(tag, script)));
}

export function executionRequest(image: string, argument: string, overrides: Partial<ExecutionRequest> = {}): ExecutionRequest {
  const limits: FunctionLimits = { timeoutSeconds: 30, memoryMb: 64, cpus: 0.5, network: 'none' };
  // One function per definition: requests alike share it (and its warm containers), others do not.
  const shape = JSON.stringify([image, overrides.env, overrides.limits ?? limits, overrides.secrets, overrides.warm, overrides.revision, overrides.runtime]);
  return {
    id: uniqueName('ex'),
    userId: 'spawner-test-user',
    function: `fn-${createHash('sha256').update(shape).digest('hex').slice(0, 12)}`,
    image,
    argument,
    env: {},
    limits,
    queuedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** The definition the registry would hold for the request's function (the spawner runs what it says). */
export function definitionFor(request: ExecutionRequest): FunctionDefinition {
  const at = new Date().toISOString();
  return {
    id: `${request.userId}-${request.function}`, userId: request.userId, name: request.function, image: request.image, description: '',
    env: request.env, ...request.limits, revision: request.revision ?? 1, createdAt: at, updatedAt: at,
    ...(request.secrets ? { secrets: request.secrets } : {}), ...(request.warm === undefined ? {} : { warm: request.warm }),
    ...(request.runtime === undefined ? {} : { runtime: request.runtime }),
  };
}

export const definitionKey = (request: Pick<ExecutionRequest, 'userId' | 'function'>): string => `${request.userId}.${request.function}`;

/** Stores the function's definition, as the registry would, unless it is already so. */
export async function registerFunction(nc: NatsConnection, request: ExecutionRequest): Promise<void> {
  // A bucket made a moment ago, on a cluster that just formed, may time out or answer 503 for a
  // while until its replicas are placed: the first test of a run meets it on a loaded machine.
  const patience = { budgetMs: 60_000 };
  const functions = await retryPassing(() => openBucket(nc, BUCKETS.functions, { replicas: 3 }), patience);
  const definition = definitionFor(request);
  const entry = await retryPassing(() => functions.get(definitionKey(request)), patience);
  if (entry?.operation === 'PUT' && sameDefinition(entry.json<FunctionDefinition>(), definition)) return;
  await retryPassing(() => functions.put(definitionKey(request), JSON.stringify(definition)), patience);
}

function sameDefinition(a: FunctionDefinition, b: FunctionDefinition): boolean {
  const { createdAt: _a1, updatedAt: _a2, ...left } = a;
  const { createdAt: _b1, updatedAt: _b2, ...right } = b;
  return JSON.stringify(left) === JSON.stringify(right);
}

/** Registers the request's function, then publishes the request as the publisher would. */
export async function publishExecution(nc: NatsConnection, request: ExecutionRequest): Promise<PubAck> {
  await registerFunction(nc, request);
  return publishMessage(nc, request);
}

/** Publishes the message as it is, whatever the functions bucket holds (a forged message, say). */
export async function publishMessage(nc: NatsConnection, request: ExecutionRequest): Promise<PubAck> {
  return nc.jetstream().publish(SUBJECTS.exec(request.userId), JSON.stringify(request), { msgID: request.id });
}

export async function waitForFinal(store: ExecutionStore, id: string, timeoutMs = 20_000): Promise<ExecutionRecord> {
  let last: ExecutionRecord | undefined;
  try {
    return await eventually(async () => {
      last = (await store.get(id))?.record;
      return last && FINAL_STATUSES.has(last.status) ? last : undefined;
    }, timeoutMs);
  } catch (err) {
    // Where it stopped: no record (never stored), queued (never taken) or running (taken, by which spawner).
    const at = last ? `${last.status} (attempt ${last.attempt}, spawner ${last.spawner ?? '-'}, started ${last.startedAt ?? '-'})` : 'no record';
    throw new Error(`execution ${id} not final within ${timeoutMs} ms: ${at}`, { cause: err });
  }
}

/** Publishes and waits for the final record, whichever spawner runs it. */
export async function execute(sut: SpawnerUnderTest, request: ExecutionRequest, timeoutMs?: number): Promise<ExecutionRecord> {
  await publishExecution(sut.nc, request);
  return waitForFinal(sut.store, request.id, timeoutMs);
}

export async function containersOf(label: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [label] } });
}

/** Waits until no container carries the label. */
export async function eventuallyGone(label: string, timeoutMs: number): Promise<void> {
  await eventually(async () => ((await containersOf(label)).length === 0 ? true : undefined), timeoutMs, 200);
}

export interface TestClient {
  readonly nc: NatsConnection;
  readonly store: ExecutionStore;
  close(): Promise<void>;
}

/** A publisher-side connection: publishes requests and reads records, runs nothing. */
export async function connectTestClient(): Promise<TestClient> {
  const logger = createLogger('spawner-test-client', 'silent');
  const nc = await connectNats({ servers: testNatsUrls(), name: 'spawner-test-client', logger });
  // A cluster that just started may still answer "no suitable peers": retry until it does not.
  await eventually(() => ensureExecutionsStream(nc, { replicas: 3 }).then(() => true), 30_000, 500);
  const store = createExecutionStore(await openExecutionsBucket(nc, 3, { leaderReads: true }));
  return { nc, store, close: () => nc.drain() };
}

/** Counts engine `start` events of containers labelled with each execution id (this run's only). */
export async function watchStarts(): Promise<{ count(id: string): number; stop(): void }> {
  const starts = new Map<string, number>();
  const stream = await docker.getEvents({ filters: { type: ['container'], event: ['start'], label: [TEST_RUN_LABEL] } });
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const id = line.trim() ? (JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } }).Actor?.Attributes?.['faas.execution'] : undefined;
      if (id) starts.set(id, (starts.get(id) ?? 0) + 1);
    }
  });
  return { count: (id) => starts.get(id) ?? 0, stop: () => (stream as unknown as { destroy(): void }).destroy() };
}
