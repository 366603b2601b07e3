import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { BUCKETS, TooLargeError, connectNats, createLogger, openObjectUsage } from '../src/index.js';
import { countGets, testNatsUrls, uniqueName } from '@faas/testing';

/**
 * The storage ledger refuses (413) on what it reads, with no write that a revision check could
 * refuse: a replica that had not applied the last release (an object just deleted) refused an
 * upload the user had room for. A charge is written anyway, so the leader is asked for the entry.
 */
describe('object usage: the ledger decides on the leader\'s entry', () => {
  let nc: NatsConnection;
  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'usage-reads-test', logger: createLogger('test', 'silent') });
  });
  after(() => nc.drain());

  it('grants room just freed, never asking a possibly lagging replica (DIRECT.GET)', async () => {
    const ledger = await openObjectUsage(nc, { replicas: 3, outputsTtlMs: 60_000, seed: () => Promise.resolve({ bytes: 0, objects: 0 }) });
    const user = uniqueName('usage');
    const counts = await countGets(nc, BUCKETS.objectUsage, user);
    const limits = { maxBytes: 10 * 1_048_576, maxObjects: 1 };
    const one = { bytes: 1_048_576, objects: 1 };
    for (let i = 0; i < 10; i++) {
      await ledger.reserve(user, one, { uploads: true }, limits);
      await ledger.reserve(user, one, { uploads: true }, limits).then(
        () => expect.fail('a second object passed MAX_OBJECTS'),
        (err: unknown) => expect(err).to.be.instanceOf(TooLargeError),
      );
      await ledger.release(user, one, { uploads: true });
    }
    await counts.stop();
    expect(counts.direct, 'direct gets of the usage entry').to.equal(0);
    expect(counts.leader, 'leader reads of the usage entry').to.be.at.least(30);
  });
});
