import { connectNats, createLogger } from '@faas/common';
import { testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { newInstanceId, type LeaseSettings, type LeaseStore } from '../src/domain/execution-lease.js';
import { takeLease } from '../src/domain/take-lease.js';
import { kvLeaseStore, openLeaseBucket } from '../src/infra/lease-store.js';

/** The real lease bucket, each call recorded in order. */
function counted(store: LeaseStore, calls: string[]): LeaseStore {
  return {
    get: (id) => (calls.push('get'), store.get(id)),
    create: (id, lease) => (calls.push('create'), store.create(id, lease)),
    update: (id, lease, revision) => (calls.push('update'), store.update(id, lease, revision)),
    remove: (id, revision) => (calls.push('remove'), store.remove(id, revision)),
  };
}

/** Each delivery's lease is a trip to the bucket's leader before its run: the sync path pays every one. */
describe('spawner: taking an execution lease', () => {
  let nc: NatsConnection;
  let store: LeaseStore;
  const logger = createLogger('take-lease-test', 'silent');
  const settings = (spawnerId: string, leases: LeaseStore): LeaseSettings => ({
    store: leases, spawnerId, instance: newInstanceId(), ttlMs: 30_000, renewMs: 10_000, pollMs: 50, logger,
  });

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'take-lease-test', logger });
    store = kvLeaseStore(await openLeaseBucket(nc, 3, logger));
  });
  after(() => nc.close());

  /** Takes the lease as `spawnerId`: its outcome and the bucket calls taking it made (a held lease is released after). */
  async function takeCounted(spawnerId: string, id: string, attempt: number): Promise<{ kind: string; calls: string[] }> {
    const calls: string[] = [];
    const taking = await takeLease(settings(spawnerId, counted(store, calls)), id, { attempt, isFinal: async () => false });
    const taken = { kind: taking.kind, calls: [...calls] };
    if (taking.kind === 'held') await taking.lease.release();
    return taken;
  }

  it('takes a free lease with one write and no read before it', async () => {
    expect(await takeCounted('spawner-a', uniqueName('ex'), 1)).to.deep.equal({ kind: 'held', calls: ['create'] });
  });

  it('takes a released lease again (its tombstone is no lease) with one write', async () => {
    const id = uniqueName('ex');
    expect((await takeCounted('spawner-a', id, 1)).kind).to.equal('held');
    expect(await takeCounted('spawner-b', id, 2)).to.deep.equal({ kind: 'held', calls: ['create'] });
  });

  it('a lease a live run holds: the refused create reads the holder and waits, and sees the record final as `ended`', async () => {
    const id = uniqueName('ex');
    const holder = await takeLease(settings('spawner-a', store), id, { attempt: 1, isFinal: async () => false });
    if (holder.kind !== 'held') throw new Error(`expected held, got ${holder.kind}`);
    const calls: string[] = [];
    let final = false;
    const waiting = takeLease(settings('spawner-b', counted(store, calls)), id, { attempt: 2, isFinal: async () => final });
    try {
      // It looks at the live lease a few times; then the run's final record is stored (its lease still held).
      await new Promise((r) => setTimeout(r, 300));
      final = true;
      expect((await waiting).kind).to.equal('ended');
    } finally {
      await holder.lease.release();
    }
    expect(calls[0]).to.equal('create');
    expect(calls.slice(1).every((c) => c === 'get'), `then only reads: ${calls.join(', ')}`).to.equal(true);
    expect(calls.length, 'it looked more than once while waiting').to.be.greaterThan(2);
  });
});
