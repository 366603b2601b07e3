import { BUCKETS, connectNats, createExecutionStore, createLogger, ensureExecutionsStream, openBucket, openExecutionsBucket, type FunctionDefinition } from '@faas/common';
import { eventually, rejection, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { createExecutionIndex, type ExecutionIndex } from '../src/executions/execution-index.js';
import { submitExecution, type Caller, type ExecutionDeps } from '../src/executions/executions.js';
import { newExecutionId } from '../src/executions/ids.js';
import { createQuotaStore } from '../src/quota/quota-store.js';
import { createWorkQueue } from '../src/executions/work-queue.js';

describe('publisher: an argument past the NATS message limit', () => {
  let nc: NatsConnection;
  let deps: (userId: string) => ExecutionDeps;
  let index: ExecutionIndex;

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'argument-cap-test', logger: createLogger('argument-cap-test', 'silent') });
    await eventually(() => ensureExecutionsStream(nc, { replicas: 3 }).then(() => true), 30_000, 500);
    const store = createExecutionStore(await openExecutionsBucket(nc, 3, { leaderReads: true }));
    const quotaKv = await openBucket(nc, BUCKETS.quotas, { replicas: 3, leaderReads: true });
    index = createExecutionIndex(await openBucket(nc, BUCKETS.executionIndex, { replicas: 3 }));
    const fn = (userId: string): FunctionDefinition => ({
      id: uniqueName('fn'), userId, name: 'echo', image: 'faas-test-never-run:latest', description: '', env: {},
      timeoutSeconds: 5, memoryMb: 64, cpus: 0.5, network: 'none', revision: 1, createdAt: '', updatedAt: '',
    });
    const quota = createQuotaStore(quotaKv, { maxConcurrent: 1, holdMaxMs: 3_600_000, isSettled: async () => false });
    deps = (userId) => ({
      store, index, quota, queue: createWorkQueue(nc), functions: { getFunction: async () => fn(userId) },
      checkCallback: async () => undefined, enqueueCallback: async () => undefined,
      // An operator's MAX_ARGUMENT_BYTES far above the server's 1 MiB max_payload.
      maxArgumentBytes: 16 * 1_048_576, logger: createLogger('argument-cap-test', 'silent'), retryBudgetMs: 1_000,
    });
  });
  after(() => nc.drain());

  const caller = (userId: string): Caller => ({ principal: { id: userId, username: userId } as Caller['principal'], token: 't', requestId: 'r' });

  for (const [label, argument] of [
    ['1.5 MiB of text', 'a'.repeat(1_572_864)],
    ['200 KB of control characters (six bytes each once JSON-escaped)', '\u0001'.repeat(200_000)],
  ] as const) {
    it(`answers 413 (not 503) for ${label}, and holds no slot and writes no record`, async () => {
      const user = uniqueName('argcap');
      const err = await rejection(submitExecution(deps(user), caller(user), { name: 'echo', argument }, false));
      expect(err.code, err.message).to.equal('PAYLOAD_TOO_LARGE');
      expect(await index.ids(user)).to.deep.equal([]);
      // The only slot (maxConcurrent 1) is still free.
      await deps(user).quota.acquire(user, newExecutionId());
    });
  }
});
