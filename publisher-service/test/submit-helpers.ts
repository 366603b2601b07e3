import { BUCKETS, createExecutionStore, ensureExecutionsStream, openBucket, openExecutionsBucket, type ExecutionStore, type FunctionDefinition } from '@faas/common';
import { eventually, uniqueName } from '@faas/testing';
import type { KV, NatsConnection } from 'nats';
import { createExecutionIndex, type ExecutionIndex } from '../src/executions/execution-index.js';
import type { Caller } from '../src/executions/executions.js';

/** A function of the user's named `echo`, whose image no test here runs. */
export const fnFor = (userId: string): FunctionDefinition => ({
  id: uniqueName('fn'), userId, name: 'echo', image: 'faas-test-never-run:latest', description: '', env: {},
  timeoutSeconds: 5, memoryMb: 64, cpus: 0.5, network: 'none', revision: 1, createdAt: '', updatedAt: '',
});

/** The verified caller a submit route would hand on. */
export const callerFor = (userId: string): Caller => ({ principal: { id: userId, username: userId } as Caller['principal'], token: 't', requestId: 'r' });

/** What a submit writes on the test cluster, read from the leaders: records, quota holds, the index. */
export async function openSubmitBuckets(nc: NatsConnection): Promise<{ store: ExecutionStore; quotaKv: KV; index: ExecutionIndex }> {
  await eventually(() => ensureExecutionsStream(nc, { replicas: 3 }).then(() => true), 30_000, 500);
  return {
    store: createExecutionStore(await openExecutionsBucket(nc, 3, { leaderReads: true })),
    quotaKv: await openBucket(nc, BUCKETS.quotas, { replicas: 3, leaderReads: true }),
    index: createExecutionIndex(await openBucket(nc, BUCKETS.executionIndex, { replicas: 3 })),
  };
}

/** The execution ids a user holds quota slots for, sorted. */
export const holdsIn = async (quotas: KV, userId: string): Promise<string[]> => Object.keys((await quotas.get(userId))?.json<Record<string, number>>() ?? {}).sort();
