import { BUCKETS, RateLimitedError, connectNats, createExecutionStore, createLogger, ensureExecutionsStream, openBucket, openExecutionsBucket, type ExecutionStore, type FunctionDefinition } from '@faas/common';
import { eventually, rejection, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { KV, NatsConnection } from 'nats';
import { createExecutionIndex, type ExecutionIndex } from '../src/executions/execution-index.js';
import { submitExecution, type Caller, type ExecutionDeps } from '../src/executions/executions.js';
import { newExecutionId } from '../src/executions/ids.js';
import { createQuotaStore, type QuotaStore } from '../src/quota/quota-store.js';
import { createWorkQueue } from '../src/executions/work-queue.js';
import { holdsIn } from './submit-helpers.js';

/** A count the test settles itself, as the request counter would. */
function deferredCount(): { promise: Promise<void>; pass(): void; refuse(err: Error): void; settled(): boolean } {
  let settled = false;
  let pass = (): void => undefined;
  let refuse = (_err: Error): void => undefined;
  const promise = new Promise<void>((resolve, reject) => {
    pass = () => ((settled = true), resolve());
    refuse = (err) => ((settled = true), reject(err));
  });
  return { promise, pass, refuse, settled: () => settled };
}

/** Issue 24 item 4: submitExecution joins the request's count with its quota hold instead of waiting for it first. */
describe('publisher: a submit counts the request beside its quota hold', function () {
  this.timeout(60_000);
  let nc: NatsConnection;
  let store: ExecutionStore;
  let index: ExecutionIndex;
  let quotaKv: KV;
  /** Acquires as they start, with whether the count had settled then; `granted`: their ids once taken. */
  const acquires: Array<{ id: string; countSettled: boolean }> = [];
  const granted: string[] = [];
  let count = deferredCount();

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'submit-admission-test', logger: createLogger('submit-admission-test', 'silent') });
    await eventually(() => ensureExecutionsStream(nc, { replicas: 3 }).then(() => true), 30_000, 500);
    store = createExecutionStore(await openExecutionsBucket(nc, 3, { leaderReads: true }));
    index = createExecutionIndex(await openBucket(nc, BUCKETS.executionIndex, { replicas: 3 }));
    quotaKv = await openBucket(nc, BUCKETS.quotas, { replicas: 3, leaderReads: true });
  });
  after(() => nc.drain());
  beforeEach(() => {
    acquires.length = 0;
    granted.length = 0;
    count = deferredCount();
  });

  const depsFor = (userId: string, maxConcurrent = 5): ExecutionDeps => {
    const real = createQuotaStore(quotaKv, { maxConcurrent, holdMaxMs: 3_600_000, isSettled: async () => false });
    const quota: QuotaStore = {
      acquire: async (user, id) => {
        acquires.push({ id, countSettled: count.settled() });
        await real.acquire(user, id);
        granted.push(id);
      },
      release: (user, id) => real.release(user, id),
    };
    const fn: FunctionDefinition = {
      id: uniqueName('fn'), userId, name: 'echo', image: 'faas-test-never-run:latest', description: '', env: {},
      timeoutSeconds: 5, memoryMb: 64, cpus: 0.5, network: 'none', revision: 1, createdAt: '', updatedAt: '',
    };
    return {
      store, index, quota, queue: createWorkQueue(nc), functions: { getFunction: async () => fn },
      checkCallback: async () => undefined, enqueueCallback: async () => undefined,
      maxArgumentBytes: 65_536, logger: createLogger('submit-admission-test', 'silent'), retryBudgetMs: 2_000,
    };
  };
  const caller = (userId: string): Caller => ({ principal: { id: userId, username: userId, role: 'user' }, token: 't', requestId: 'r', admitted: count.promise });
  const holdsOf = (userId: string) => holdsIn(quotaKv, userId);

  it('takes the quota hold while the count is still running, and queues once the count passes', async () => {
    const user = uniqueName('admit');
    const submitted = submitExecution(depsFor(user), caller(user), { name: 'echo', argument: 'x' }, false);
    // Were the count awaited first, the hold would never be asked for while it runs.
    await eventually(() => (granted.length === 1 ? true : undefined), 10_000);
    expect(acquires.map((a) => a.countSettled), 'count settled when acquire started').to.deep.equal([false]);
    count.pass();
    const { record } = await submitted;
    expect(await holdsOf(user)).to.deep.equal([record.id]);
    expect(await index.ids(user)).to.deep.equal([record.id]);
  });

  it('answers a count refused after the hold was taken with the 429, and releases the hold: no record, no index entry', async () => {
    const user = uniqueName('admit');
    const submitted = rejection(submitExecution(depsFor(user), caller(user), { name: 'echo', argument: 'x' }, false));
    await eventually(() => (granted.length === 1 ? true : undefined), 10_000);
    const refusal = new RateLimitedError('more than 3 requests in 60 s for this user; retry later', 42);
    count.refuse(refusal);
    expect(await submitted).to.equal(refusal);
    expect(await holdsOf(user), 'quota holds').to.deep.equal([]);
    expect(await index.ids(user), 'index entries').to.deep.equal([]);
    expect(await store.get(acquires[0]?.id ?? ''), 'record').to.equal(undefined);
  });

  it("answers the count's 429, not the quota's, when both refuse, and keeps the holds there were", async () => {
    const user = uniqueName('admit');
    const deps = depsFor(user, 1);
    const earlier = newExecutionId();
    await deps.quota.acquire(user, earlier);
    count.refuse(new RateLimitedError('over the limit', 7));
    const err = await rejection(submitExecution(deps, caller(user), { name: 'echo', argument: 'x' }, false));
    expect(err.code).to.equal('RATE_LIMITED');
    expect(await holdsOf(user)).to.deep.equal([earlier]);
  });

  it('answers a quota refusal while the count passes with QUOTA_EXCEEDED, as before', async () => {
    const user = uniqueName('admit');
    const deps = depsFor(user, 1);
    const earlier = newExecutionId();
    await deps.quota.acquire(user, earlier);
    count.pass();
    const err = await rejection(submitExecution(deps, caller(user), { name: 'echo', argument: 'x' }, false));
    expect(err.code).to.equal('QUOTA_EXCEEDED');
    expect(await holdsOf(user)).to.deep.equal([earlier]);
    expect(await index.ids(user)).to.deep.equal([]);
  });
});
