import { connectNats, createLogger, type ExecutionRecord, type ExecutionStore } from '@faas/common';
import { eventually, rejection, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { KV, NatsConnection } from 'nats';
import { submitExecution, type ExecutionDeps } from '../src/executions/executions.js';
import { newExecutionId } from '../src/executions/ids.js';
import { createQuotaStore } from '../src/quota/quota-store.js';
import { createWorkQueue, type WorkQueue } from '../src/executions/work-queue.js';
import { callerFor, fnFor, openSubmitBuckets } from './submit-helpers.js';

/**
 * Our own WorkQueue port around the real one: the request really is stored on EXECUTIONS, then
 * `afterStored` runs (what happened before the PubAck would have arrived) and the publish fails
 * as a PubAck timeout does.
 */
function ackLosingQueue(real: WorkQueue, afterStored: (id: string) => Promise<void>): WorkQueue {
  return {
    waitForResult: (id, fallback) => real.waitForResult(id, fallback),
    async publish(request) {
      await real.publish(request);
      await afterStored(request.id);
      throw new Error('TIMEOUT');
    },
  };
}

describe('publisher: a publish whose PubAck is lost', () => {
  let nc: NatsConnection;
  let store: ExecutionStore;
  let base: Omit<ExecutionDeps, 'queue' | 'functions' | 'quota'>;
  let quotaKv: KV;

  const depsFor = (userId: string, queue: WorkQueue): ExecutionDeps => ({
    ...base,
    queue,
    functions: { getFunction: async () => fnFor(userId) },
    quota: createQuotaStore(quotaKv, { maxConcurrent: 1, holdMaxMs: 3_600_000, isSettled: async () => false }),
  });

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'lost-puback-test', logger: createLogger('lost-puback-test', 'silent') });
    const buckets = await openSubmitBuckets(nc);
    ({ store, quotaKv } = buckets);
    const { index } = buckets;
    base = {
      store, index, checkCallback: async () => undefined, enqueueCallback: async () => undefined, maxArgumentBytes: 65_536,
      logger: createLogger('lost-puback-test', 'silent'),
    };
  });
  after(() => nc.drain());

  const queuedRecordOf = (id: string) => eventually(() => store.get(id), 10_000, 20);

  it('keeps the final record a spawner stored, and answers with it instead of a 503', async () => {
    const user = uniqueName('puback');
    let finished: ExecutionRecord | undefined;
    // A spawner ran the stored message and wrote its final record before the PubAck came back.
    const queue = ackLosingQueue(createWorkQueue(nc), async (id) => {
      // The record is written beside the publish: it may land a moment after the message.
      const stored = await queuedRecordOf(id);
      finished = { ...stored.record, status: 'succeeded', result: 'ran once', exitCode: 0, durationMs: 1, finishedAt: new Date().toISOString() };
      await store.update(finished, stored.revision);
    });
    const submitted = await submitExecution(depsFor(user, queue), callerFor(user), { name: 'echo', argument: 'x' }, true);
    const answer = await submitted.wait?.result(10_000);
    expect(answer?.status).to.equal('succeeded');
    const kept = await store.get(submitted.record.id);
    expect(kept?.record).to.deep.equal(finished);
  });

  it('keeps a running record, answers as queued, and keeps the quota hold for the result handler', async () => {
    const user = uniqueName('puback');
    const queue = ackLosingQueue(createWorkQueue(nc), async (id) => {
      const stored = await queuedRecordOf(id);
      await store.update({ ...stored.record, status: 'running', attempt: 1, spawner: 'sp-1' }, stored.revision);
    });
    const deps = depsFor(user, queue);
    const submitted = await submitExecution(deps, callerFor(user), { name: 'echo', argument: 'x' }, false);
    expect((await store.get(submitted.record.id))?.record.status).to.equal('running');
    // Still held (limit 1): the execution is in flight.
    expect((await rejection(deps.quota.acquire(user, newExecutionId()))).code).to.equal('QUOTA_EXCEEDED');
  });

  it('still ends a request no spawner took as error, answers 503 and frees the slot', async () => {
    const user = uniqueName('puback');
    const deps = depsFor(user, ackLosingQueue(createWorkQueue(nc), async () => undefined));
    const err = await rejection(submitExecution(deps, callerFor(user), { name: 'echo', argument: 'x' }, true));
    expect(err.code).to.equal('UNAVAILABLE');
    const ids = await deps.index.ids(user);
    expect(ids).to.have.length(1);
    const record = await store.get(ids[0] ?? '');
    expect(record?.record.status).to.equal('error');
    expect(record?.record.error).to.match(/^not queued: TIMEOUT/);
    await deps.quota.acquire(user, newExecutionId());
  });
});
