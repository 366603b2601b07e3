import { BUCKETS, connectNats, createExecutionStore, createLogger, followBucket, openBucket, openExecutionsBucket, type ExecutionRecord, type ExecutionStore } from '@faas/common';
import { eventually, rejection, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { KvWatchInclude, type NatsConnection } from 'nats';
import { newExecutionId } from '../src/executions/ids.js';
import { createQuotaStore, type QuotaStore } from '../src/quota/quota-store.js';
import { executionSettled } from '../src/executions/settled-check.js';

describe('publisher: per-user quota store', () => {
  let nc: NatsConnection;
  const settled = new Set<string>();
  let quota: QuotaStore;

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'quota-test', logger: createLogger('quota-test', 'silent') });
    const kv = await openBucket(nc, BUCKETS.quotas, { replicas: 3, leaderReads: true });
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

  it("writes one user's concurrent acquisitions and releases together, not one compare-and-set each", async () => {
    const user = uniqueName('quota');
    const kv = await openBucket(nc, BUCKETS.quotas, { replicas: 3, leaderReads: true });
    const writes: number[] = [];
    // Writes start only once the watch is live, or the first one can be missed (seen in a CI run).
    let live: () => void = () => undefined;
    const initialized = new Promise<void>((resolve) => (live = resolve));
    const watch = await kv.watch({ key: user, initializedFn: () => live() });
    await Promise.race([initialized, new Promise((r) => setTimeout(r, 2_000))]);
    void (async () => {
      for await (const entry of watch) writes.push(Object.keys(entry.json<Record<string, number>>()).length);
    })();
    const ids = Array.from({ length: 10 }, () => newExecutionId());
    await Promise.all(ids.map((id) => quota.acquire(user, id)));
    await Promise.all(ids.slice(0, 5).map((id) => quota.release(user, id)));
    await eventually(() => (writes.at(-1) === 5 ? true : undefined));
    watch.stop();
    // The first acquisition goes out alone; the nine queued behind it share the next write, the five releases one more.
    expect(writes).to.deep.equal([1, 10, 5]);
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
    const kv = await openBucket(nc, BUCKETS.quotas, { replicas: 3, leaderReads: true });
    const shortLived = createQuotaStore(kv, { maxConcurrent: 1, holdMaxMs: 50, isSettled: async () => false });
    await shortLived.acquire(user, newExecutionId());
    await new Promise((r) => setTimeout(r, 80));
    await shortLived.acquire(user, newExecutionId());
  });

  describe('two publishers on one user, each trying its last known revision first', () => {
    let leader: Awaited<ReturnType<typeof openBucket>>;
    let a: QuotaStore;
    let b: QuotaStore;
    before(async () => {
      // The stores read as the publisher does, from the leader: a stale guess only costs a retried
      // write, but a fresh read that a lagging replica answers decides without writing (a release
      // that did not find the other publisher's hold kept it). The check reads the leader too.
      leader = await openBucket(nc, BUCKETS.quotas, { replicas: 3, leaderReads: true });
      a = createQuotaStore(leader, { maxConcurrent: 4, holdMaxMs: 60_000, isSettled: async () => false });
      b = createQuotaStore(leader, { maxConcurrent: 4, holdMaxMs: 60_000, isSettled: async () => false });
    });
    const holdsOf = async (user: string): Promise<string[]> => Object.keys((await leader.get(user))?.json<Record<string, number>>() ?? {}).sort();

    it('never overshoots the limit when their guesses are stale', async () => {
      const user = uniqueName('quota');
      const granted: string[] = [];
      for (let i = 0; i < 8; i++) {
        const id = newExecutionId();
        const store = i % 2 === 0 ? a : b;
        if (await store.acquire(user, id).then(() => true, (err: { code?: string }) => (err.code === 'QUOTA_EXCEEDED' ? false : Promise.reject(err)))) {
          granted.push(id);
        }
      }
      expect(granted).to.have.length(4);
      expect(await holdsOf(user)).to.deep.equal([...granted].sort());
    });

    it("releases a hold the other publisher took, although its own guess does not show it", async () => {
      const user = uniqueName('quota');
      const mine = newExecutionId();
      const theirs = newExecutionId();
      await a.acquire(user, mine);
      await b.acquire(user, theirs);
      await a.release(user, theirs);
      expect(await holdsOf(user)).to.deep.equal([mine]);
    });

    it('grants a slot freed by the other publisher, although its own guess shows the quota full', async () => {
      const user = uniqueName('quota');
      const ids = Array.from({ length: 4 }, () => newExecutionId());
      for (const id of ids) await a.acquire(user, id);
      await b.release(user, ids[0] ?? '');
      const next = newExecutionId();
      await a.acquire(user, next);
      expect(await holdsOf(user)).to.deep.equal([...ids.slice(1), next].sort());
    });

    it("writes at once after the other publisher's write once its watch showed it; without the watch, a refused write and a read come first", async () => {
      const user = uniqueName('quota');
      const calls: string[] = [];
      // The real bucket, its calls counted.
      const counted = new Proxy(leader, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (prop === 'get' || prop === 'update' || prop === 'create') calls.push(prop);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const rules = { maxConcurrent: 4, holdMaxMs: 60_000, isSettled: async () => false };
      const watched = createQuotaStore(counted, rules);
      const unwatched = createQuotaStore(counted, rules);
      let seen = 0;
      const follower = followBucket(leader, (entry) => {
        watched.observe(entry);
        if (entry.key === user) seen = Math.max(seen, entry.revision);
      }, { what: 'quota watch (test)', include: KvWatchInclude.UpdatesOnly });
      try {
        await follower.ready;
        const [one, two] = [newExecutionId(), newExecutionId()];
        await watched.acquire(user, one);
        await unwatched.acquire(user, two);
        // The other replica's write: a result's release.
        await b.release(user, one);
        const revision = (await leader.get(user))?.revision ?? 0;
        await eventually(() => (seen >= revision ? true : undefined));
        calls.length = 0;
        await watched.acquire(user, newExecutionId());
        expect(calls, 'the watched store').to.deep.equal(['update']);
        calls.length = 0;
        await unwatched.acquire(user, newExecutionId());
        expect(calls, 'the store without a watch').to.deep.equal(['update', 'get', 'update']);
        expect(await holdsOf(user)).to.have.length(3);
      } finally {
        follower.stop();
      }
    });
  });
});

describe('publisher: healing a full quota keeps holds whose record is not written yet', () => {
  let nc: NatsConnection;
  let store: ExecutionStore;
  let kv: Awaited<ReturnType<typeof openBucket>>;

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'quota-heal-test', logger: createLogger('quota-heal-test', 'silent') });
    kv = await openBucket(nc, BUCKETS.quotas, { replicas: 3, leaderReads: true });
    store = createExecutionStore(await openExecutionsBucket(nc, 3, { leaderReads: true }));
  });
  after(() => nc.close());

  it('refuses a third execution while two holds wait for their records (submit between acquire and create)', async () => {
    const quota = createQuotaStore(kv, { maxConcurrent: 2, holdMaxMs: 3_600_000, isSettled: executionSettled(store) });
    const user = uniqueName('quota');
    await quota.acquire(user, newExecutionId());
    await quota.acquire(user, newExecutionId());
    expect((await rejection(quota.acquire(user, newExecutionId()))).code).to.equal('QUOTA_EXCEEDED');
  });

  it('drops a hold that got no record within the grace (a publisher that died right after acquiring)', async () => {
    const quota = createQuotaStore(kv, { maxConcurrent: 1, holdMaxMs: 3_600_000, isSettled: executionSettled(store, 200) });
    const user = uniqueName('quota');
    await quota.acquire(user, newExecutionId());
    const next = newExecutionId();
    await eventually(() => quota.acquire(user, next).then(() => true, () => undefined), 10_000, 100);
  });

  it('drops the hold of a final record at once, keeps a queued one', async () => {
    const quota = createQuotaStore(kv, { maxConcurrent: 1, holdMaxMs: 3_600_000, isSettled: executionSettled(store) });
    const user = uniqueName('quota');
    const queued = newExecutionId();
    // The revision from the write itself: a read right after it may come from a lagging replica.
    const revision = await store.create(recordOf(queued, user, 'queued'));
    await quota.acquire(user, queued);
    expect((await rejection(quota.acquire(user, newExecutionId()))).code).to.equal('QUOTA_EXCEEDED');
    await store.update({ ...recordOf(queued, user, 'succeeded') }, revision);
    await quota.acquire(user, newExecutionId());
  });
});

function recordOf(id: string, user: string, status: ExecutionRecord['status']): ExecutionRecord {
  return {
    id, user, function: 'f', image: 'i', status, result: null, logs: null, exitCode: null, truncated: false, durationMs: null,
    queuedAt: new Date().toISOString(), startedAt: null, finishedAt: null, attempt: 0, spawner: null,
  };
}
