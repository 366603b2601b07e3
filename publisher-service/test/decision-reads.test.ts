import { BUCKETS, connectNats, createExecutionStore, createLogger, openBucket, type ExecutionStore } from '@faas/common';
import { countGets, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { getExecution } from '../src/executions/execution-reads.js';
import { newExecutionId } from '../src/executions/ids.js';
import { finalRecordOf, startPublisher, type PublisherUnderTest } from './trigger-helpers.js';

/**
 * A direct get may be answered by a replica that has not applied the last write (5 in 2,000
 * create-then-read pairs under a CPU hog). Where the publisher decides on what it reads, that is a
 * wrong decision: a quota entry without the last release refuses a free slot (no write, nothing
 * conflicts), one without the last acquire keeps a hold its release did not find; a record not yet
 * final keeps a settled hold; a missing record resets a chain's depth. So those reads go to the
 * stream leader (STREAM.MSG.GET), and only a client's poll, which may be a moment stale, to any replica.
 */
describe('publisher: decisions read the bucket leader, clients any replica', () => {
  let nc: NatsConnection;
  let publisher: PublisherUnderTest;
  let leader: ExecutionStore;

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'decision-reads-test', logger: createLogger('decision-reads-test', 'silent') });
    publisher = await startPublisher({ MAX_CONCURRENT_PER_USER: '1' });
    // The test's own reads go to the leader too: only the publisher's direct gets are counted.
    leader = createExecutionStore(await openBucket(nc, BUCKETS.executions, { replicas: 3, leaderReads: true }));
  });
  after(async () => {
    await publisher.close();
    await nc.drain();
  });

  it('heals a full quota from the leader: the quota entry and the held execution\'s record', async () => {
    const user = uniqueName('reads');
    const settled = newExecutionId();
    // Counted on the publisher's own connection, the one that makes the reads (countGets).
    const quotaGets = await countGets(publisher.nc, BUCKETS.quotas, user);
    const recordGets = await countGets(publisher.nc, BUCKETS.executions, settled);
    await leader.create(finalRecordOf({ id: settled, user, function: 'f' }));
    // Its result was never seen by the publisher: the hold stays until a full quota heals it.
    await publisher.deps.quota.acquire(user, settled);
    await publisher.deps.quota.acquire(user, newExecutionId());
    await quotaGets.stop();
    await recordGets.stop();
    expect(quotaGets.direct, 'direct gets of the quota entry').to.equal(0);
    expect(quotaGets.leader, 'leader reads of the quota entry').to.be.greaterThan(0);
    expect(recordGets.direct, 'direct gets of the settled record').to.equal(0);
    expect(recordGets.leader, 'leader reads of the settled record').to.be.greaterThan(0);
  });

  it('reads records for submit, abandon and chains from the leader, and a client\'s poll from any replica', async () => {
    const user = uniqueName('reads');
    const id = newExecutionId();
    await leader.create(finalRecordOf({ id, user, function: 'f' }));
    const decided = await countGets(publisher.nc, BUCKETS.executions, id);
    expect((await publisher.deps.store.get(id))?.record.status).to.equal('succeeded');
    await decided.stop();
    expect(decided.direct, 'direct gets by the deciding store').to.equal(0);
    expect(decided.leader, 'leader reads by the deciding store').to.be.greaterThan(0);

    const polled = await countGets(publisher.nc, BUCKETS.executions, id);
    expect((await getExecution(publisher.deps, user, id)).status).to.equal('succeeded');
    await polled.stop();
    expect(polled.direct, 'direct gets by a client poll').to.be.at.least(1);
    // The leader is asked only when the replica that answered had not applied the create yet.
    expect(polled.leader, 'leader reads by a client poll').to.be.at.most(1);
  });

  it("takes a poll's 404 from the leader: a replica without the create does not answer for it", async () => {
    const user = uniqueName('reads');
    const id = newExecutionId();
    const polled = await countGets(publisher.nc, BUCKETS.executions, id);
    const missing = await getExecution(publisher.deps, user, id).then(() => 'found', (err: Error) => err.message);
    await polled.stop();
    expect(missing).to.equal(`execution ${id} not found`);
    expect(polled.direct, 'direct gets').to.be.at.least(1);
    expect(polled.leader, 'leader reads before the 404').to.be.at.least(1);
  });
});
