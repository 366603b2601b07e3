import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BUCKETS, connectNats, createExecutionStore, createLogger, openBucket, type ExecutionStore } from '@faas/common';
import { countGets, eventually, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { newExecutionId } from '../src/executions/ids.js';
import { finalRecordOf, startPublisher, type PublisherUnderTest } from './trigger-helpers.js';

/**
 * The delivery acts on what it reads: no record means expired (the message is acked for good).
 * A direct get may be answered by a replica that has not applied the publisher's create yet, a
 * moment before its callback message arrives (5 in 2,000 under a CPU hog): that callback was
 * dropped, never sent (the proof's callback-outage row, 9 of 10 delivered). The guarantee is
 * read-your-writes, so the test checks where the reads go, as common's bucket-reads test does.
 */
describe('publisher: a queued callback reads its execution record from the bucket leader', () => {
  let nc: NatsConnection;
  let publisher: PublisherUnderTest;
  let store: ExecutionStore;
  let receiver: Server;
  const hits: string[] = [];

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'callback-reads-test', logger: createLogger('callback-reads-test', 'silent') });
    publisher = await startPublisher({ CALLBACK_ALLOW_PRIVATE: 'true' });
    // The test's own reads go to the leader too: only the publisher's direct gets are counted.
    store = createExecutionStore(await openBucket(nc, BUCKETS.executions, { replicas: 3, leaderReads: true }));
    receiver = createServer((req, res) => {
      hits.push(String(req.headers['x-faas-execution-id']));
      req.resume().on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    receiver.close();
    await publisher.close();
    await nc.drain();
  });

  it('never asks a possibly lagging replica (DIRECT.GET) whether the record exists', async () => {
    const id = newExecutionId();
    const user = uniqueName('reads');
    // Counted on the publisher's own connection, the one that makes the reads (countGets).
    const counts = await countGets(publisher.nc, BUCKETS.executions, id);

    const final = finalRecordOf({ id, user, function: 'f' });
    await store.create(final);
    await publisher.deps.enqueueCallback({ id, user, url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` });
    await eventually(() => (hits.includes(id) ? true : undefined), 20_000, 50);
    // The delivery read the record before its POST: that read is counted by now.
    await publisher.nc.flush();
    const leaderReads = counts.leader;
    await eventually(async () => ((await store.get(id))?.record.callback?.status === 'delivered' ? true : undefined), 20_000, 100);
    await counts.stop();

    expect(counts.direct, 'direct gets of the record').to.equal(0);
    expect(leaderReads, 'leader reads of the record before the POST').to.be.greaterThan(0);
  });
});
