import { expect } from 'chai';
import type { KV, NatsConnection } from 'nats';
import { connectNats, createLogger, leaderKeys, openBucket } from '../src/index.js';
import { eventually, testNatsUrls, uniqueName } from '@faas/testing';

/**
 * kv.keys() lists on a random replica (nats-server places an ephemeral consumer on any peer of the
 * stream), and a replica catching up after a restart misses the last writes: a trigger cap let a
 * user past 100 (proof run, fresh clone P, after the NATS node loss scenario).
 */
describe('leaderKeys: a bucket listing as the stream leader has it', () => {
  let nc: NatsConnection;
  let kv: KV;
  let bucket: string;
  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'leader-keys-test', logger: createLogger('test', 'silent') });
    bucket = uniqueName('leaderkeys').replace(/-/g, '_');
    kv = await openBucket(nc, bucket, { replicas: 3 });
  });
  after(async () => {
    await (await nc.jetstreamManager()).streams.delete(`KV_${bucket}`).catch(() => undefined);
    await nc.drain();
  });

  it('lists the live keys under the filter: not deleted or purged ones, not another prefix', async () => {
    await Promise.all(['alice.a', 'alice.b', 'alice.c', 'alice.d', 'bob.a'].map((k) => kv.put(k, 'x')));
    await kv.delete('alice.b');
    await kv.purge('alice.c');
    expect((await leaderKeys(nc, bucket, 'alice.>')).sort()).to.deep.equal(['alice.a', 'alice.d']);
    expect(await leaderKeys(nc, bucket, 'bob.>')).to.deep.equal(['bob.a']);
    expect(await leaderKeys(nc, bucket, 'carol.>')).to.deep.equal([]);
    expect((await leaderKeys(nc, bucket)).sort()).to.deep.equal(['alice.a', 'alice.d', 'bob.a']);
  });

  it('answers with every key acknowledged before the call, from a connection on another server, each listing checked against the leader', async () => {
    const urls = testNatsUrls();
    const writer = await connectNats({ servers: [urls[0] ?? ''], name: 'leader-keys-writer', logger: createLogger('test', 'silent') });
    const reader = await connectNats({ servers: [urls[urls.length - 1] ?? ''], name: 'leader-keys-reader', logger: createLogger('test', 'silent') });
    try {
      const written = await openBucket(writer, bucket, { replicas: 3 });
      const listings: { server: string | undefined; lastSeq: number; leaderSeq: number }[] = [];
      for (let i = 0; i < 40; i++) {
        await written.put(`dave.k${i}`, 'x');
        const keys = await leaderKeys(reader, bucket, 'dave.>', { onListed: (l) => listings.push(l) });
        expect(keys, `listing after write ${i}`).to.have.length(i + 1).and.include(`dave.k${i}`);
      }
      // What was answered came from listings that had the leader's last write; a replica behind was listed again.
      expect(listings.length).to.be.at.least(40);
      expect(new Set(listings.map((l) => l.server)).size, 'listings on several replicas').to.be.greaterThan(1);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('leaves no consumer behind (each is deleted after its listing, unwaited)', async () => {
    await leaderKeys(nc, bucket, 'alice.>');
    const jsm = await nc.jetstreamManager();
    await eventually(async () => ((await jsm.streams.info(`KV_${bucket}`)).state.consumer_count === 0 ? true : undefined), 5_000, 50);
  });
});
