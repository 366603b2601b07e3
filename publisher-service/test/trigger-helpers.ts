import { randomBytes, randomUUID } from 'node:crypto';
import {
  BUCKETS,
  connectNats,
  createLogger,
  createMetrics,
  issueToken,
  openBucket,
  triggerKey,
  webhookTokenHash,
  type ExecutionRecord,
  type FunctionDefinition,
  type Logger,
  type TriggerDefinition,
} from '@faas/common';
import { eventually, serveApp, tempSecretFile, testNatsUrls, uniqueName } from '@faas/testing';
import type { NatsConnection } from 'nats';
import { createApp, type PublisherDeps } from '../src/wiring/app.js';
import { connectPublisherDeps } from '../src/wiring/connect-deps.js';
import { loadPublisherConfig } from '../src/config.js';
import { newExecutionId } from '../src/executions/ids.js';
import type { FunctionCache } from '../src/functions/function-cache.js';
import { holdsIn } from './submit-helpers.js';
import { watchTriggers, type TriggerWatch } from '../src/triggers/trigger-watch.js';
import { lastRevisionOf } from '../src/triggers/watch-barrier.js';

export interface PublisherUnderTest {
  /** The service's `/publisher` base URL. */
  readonly url: string;
  readonly nc: NatsConnection;
  readonly deps: PublisherDeps;
  close(): Promise<void>;
}

const secretFile = tempSecretFile();

/** A real publisher app on a free port against the test cluster; `now` is its scheduler's clock. */
export async function startPublisher(env: Record<string, string> = {}, now?: () => number): Promise<PublisherUnderTest> {
  const config = loadPublisherConfig({
    NATS_URL: testNatsUrls().join(','),
    JWT_SECRET_FILE: secretFile,
    // Nothing runs these executions here: their quota holds would stop a schedule at ten.
    MAX_CONCURRENT_PER_USER: '10000',
    REGISTRY_URL: 'http://127.0.0.1:9',
    ...env,
  });
  const logger = createLogger('publisher-test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const nc = await connectNats({ servers: config.natsUrls, name: uniqueName('publisher-test'), logger });
  const deps = await connectPublisherDeps(nc, config, logger, now ? { now } : {});
  const app = await serveApp(createApp({ ...deps, metrics: createMetrics({ defaultMetrics: false }) }));
  return {
    url: `${app.url}/publisher`,
    nc,
    deps,
    async close() {
      deps.close();
      await app.close();
      await nc.drain();
    },
  };
}

export interface SubmitPublisher extends PublisherUnderTest {
  /** A user with a function this publisher's cache has seen, and their token. */
  newUser(): Promise<{ userId: string; name: string; token: string }>;
  /** The execution ids the user holds quota slots for, sorted (read from the leader). */
  holdsOf(userId: string): Promise<string[]>;
}

/** startPublisher, with users to submit as and a look at their quota holds. */
export async function startSubmitPublisher(env: Record<string, string> = {}): Promise<SubmitPublisher> {
  const publisher = await startPublisher(env);
  const tokens = loadPublisherConfig({ NATS_URL: testNatsUrls().join(','), JWT_SECRET_FILE: secretFile, ...env }).token;
  const quotas = await openBucket(publisher.nc, BUCKETS.quotas, { replicas: 3, leaderReads: true });
  return {
    ...publisher,
    async newUser() {
      const userId = randomUUID();
      const fn = await seedFunction(publisher.nc, userId);
      await eventually(() => (publisher.deps.functions as FunctionCache).peek(userId, fn.name));
      const { token } = await issueToken(tokens, { id: userId, username: `u${userId.slice(0, 8)}`, role: 'user' });
      return { userId, name: fn.name, token };
    },
    holdsOf: (userId) => holdsIn(quotas, userId),
  };
}

/** A user's function, written where the registry writes it (the publisher reads the bucket). */
export async function seedFunction(nc: NatsConnection, userId: string): Promise<FunctionDefinition> {
  const now = new Date().toISOString();
  const fn: FunctionDefinition = {
    id: randomUUID(), userId, name: uniqueName('fn'), image: 'faas-test-never-run:latest', description: '', env: {},
    timeoutSeconds: 5, memoryMb: 64, cpus: 0.5, network: 'none', revision: 1, createdAt: now, updatedAt: now,
  };
  const kv = await openBucket(nc, BUCKETS.functions, { replicas: 3 });
  await kv.put(triggerKey(userId, fn.name), JSON.stringify(fn));
  return fn;
}

type NewTrigger = { kind: TriggerDefinition['kind'] } & Record<string, unknown>;

/** A trigger definition as the registry stores it; a webhook's token is returned beside it. */
export async function seedTrigger(nc: NatsConnection, fn: FunctionDefinition, fields: NewTrigger): Promise<{ trigger: TriggerDefinition; token: string }> {
  const now = new Date().toISOString();
  const token = randomBytes(32).toString('base64url');
  const trigger = {
    id: randomUUID(), userId: fn.userId, name: uniqueName('tr'), function: fn.name, enabled: true, revision: 1, createdAt: now, updatedAt: now,
    ...(fields.kind === 'webhook' ? { ratePerMinute: 60, tokenHash: webhookTokenHash(token) } : {}),
    ...fields,
  } as TriggerDefinition;
  const kv = await openBucket(nc, BUCKETS.triggers, { replicas: 3 });
  if (trigger.kind === 'webhook') {
    const tokens = await openBucket(nc, BUCKETS.triggerTokens, { replicas: 3 });
    await tokens.put(trigger.tokenHash, JSON.stringify({ userId: fn.userId, name: trigger.name, triggerId: trigger.id }));
  }
  await kv.put(triggerKey(fn.userId, trigger.name), JSON.stringify(trigger));
  return { trigger, token };
}

/** Every execution record of the user that a trigger started. */
export async function triggeredRecords(deps: PublisherDeps, userId: string): Promise<ExecutionRecord[]> {
  const ids = await deps.index.ids(userId);
  const found = await Promise.all(ids.map((id) => deps.store.get(id)));
  return found.flatMap((s) => (s?.record.trigger ? [s.record] : []));
}

/** A trigger watch of its own on the test cluster, as a publisher starts one (start-triggers.ts). */
export async function openTriggerWatch(nc: NatsConnection, logger: Logger = createLogger('trigger-watch-test', 'silent')): Promise<TriggerWatch> {
  const kv = await openBucket(nc, BUCKETS.triggers, { replicas: 3 });
  const lastRevision = lastRevisionOf(await nc.jetstreamManager(), BUCKETS.triggers);
  return watchTriggers(kv, { logger, closing: () => false, lastRevision });
}

/** A final record as a spawner stores it (succeeded, just now), for the fields a test names. */
export function finalRecordOf(fields: Pick<ExecutionRecord, 'user' | 'function'> & Partial<ExecutionRecord>): ExecutionRecord {
  const now = new Date().toISOString();
  return {
    id: newExecutionId(), image: 'never-run', status: 'succeeded', result: 'ok', logs: '', exitCode: 0, truncated: false, durationMs: 1,
    queuedAt: now, startedAt: now, finishedAt: now, attempt: 1, spawner: 'elsewhere', ...fields,
  };
}
