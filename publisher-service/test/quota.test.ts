import { BUCKETS, connectNats, createLogger, openBucket } from '@faas/common';
import { rejection, testNatsUrls, uniqueName } from '@faas/common/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { newExecutionId } from '../src/ids.js';
import { createQuotaStore, type QuotaStore } from '../src/quota-store.js';

describe('publisher: per-user quota store', () => {
  let nc: NatsConnection;
  const settled = new Set<string>();
  let quota: QuotaStore;

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'quota-test', logger: createLogger('quota-test', 'silent') });
    const kv = await openBucket(nc, BUCKETS.quotas, { replicas: 3 });
    quota = createQuotaStore(kv, { maxConcurrent: 10, holdMaxMs: 60_000, isSettled: async (id) => settled.has(id) });
  });
  after(() => nc.close());

  it('grants exactly the limit out of 25 concurrent acquisitions', async () => {
    const user = uniqueName('quota');
    const outcomes = await Promise.allSettled(Array.from({ length: 25 }, () => quota.acquire(user, newExecutionId())));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(10);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).to.have.length(15);
    for (const r of refused) expect((r.reason as { code: string }).code).to.equal('QUOTA_EXCEEDED');
  });

  it('frees a slot on release', async () => {
    const user = uniqueName('quota');
    const ids = Array.from({ length: 10 }, () => newExecutionId());
    for (const id of ids) await quota.acquire(user, id);
    expect((await rejection(quota.acquire(user, newExecutionId()))).code).to.equal('QUOTA_EXCEEDED');
    await quota.release(user, ids[0] ?? '');
    await quota.acquire(user, newExecutionId());
  });

  it('reclaims holds of executions that ended without a release (crashed publisher)', async () => {
    const user = uniqueName('quota');
    const ids = Array.from({ length: 10 }, () => newExecutionId());
    for (const id of ids) await quota.acquire(user, id);
    expect((await rejection(quota.acquire(user, newExecutionId()))).code).to.equal('QUOTA_EXCEEDED');
    settled.add(ids[3] ?? '');
    await quota.acquire(user, newExecutionId());
  });

  it('lets stale holds expire', async () => {
    const user = uniqueName('quota');
    const kv = await openBucket(nc, BUCKETS.quotas, { replicas: 3 });
    const shortLived = createQuotaStore(kv, { maxConcurrent: 1, holdMaxMs: 50, isSettled: async () => false });
    await shortLived.acquire(user, newExecutionId());
    await new Promise((r) => setTimeout(r, 80));
    await shortLived.acquire(user, newExecutionId());
  });
});
