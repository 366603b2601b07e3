import { expect } from 'chai';
import { nanos, type NatsConnection } from 'nats';
import { connectNats, createLogger, openBucket, openObjectBucket } from '../src/index.js';
import { captured, testNatsUrls, uniqueName } from '@faas/testing';

describe('bucket and stream settings: the owner updates an existing bucket at start', () => {
  let nc: NatsConnection;
  const made: string[] = [];
  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'stream-settings-test', logger: createLogger('test', 'silent') });
  });
  after(async () => {
    const jsm = await nc.jetstreamManager();
    for (const stream of made) await jsm.streams.delete(stream).catch(() => undefined);
    await nc.drain();
  });

  it('updates a bucket made with another TTL and replica count, logs what changed, and changes nothing the second time', async () => {
    const name = uniqueName('settings').replace(/-/g, '_');
    made.push(`KV_${name}`);
    // Made first by someone else, with other settings.
    await nc.jetstream().views.kv(name, { replicas: 1, history: 1, ttl: 60_000 });
    const { stream, lines } = captured();
    const owner = createLogger('owner', 'info', stream);

    await openBucket(nc, name, { replicas: 3, ttlMs: 120_000, owner });
    const jsm = await nc.jetstreamManager();
    const config = (await jsm.streams.info(`KV_${name}`)).config;
    expect(config.max_age).to.equal(nanos(120_000));
    expect(config.num_replicas).to.equal(3);
    const updates = lines.filter((l) => l.msg === "stream settings updated to their owner's");
    expect(updates).to.have.length(1);
    expect(updates[0]).to.deep.include({
      stream: `KV_${name}`,
      changes: { max_age: { from: 60_000, to: 120_000 }, num_replicas: { from: 1, to: 3 } },
    });

    await openBucket(nc, name, { replicas: 3, ttlMs: 120_000, owner });
    expect(lines.filter((l) => l.msg === "stream settings updated to their owner's")).to.have.length(1);
  });

  it('leaves a bucket as it is for a component that does not own it', async () => {
    const name = uniqueName('settings').replace(/-/g, '_');
    made.push(`KV_${name}`);
    await nc.jetstream().views.kv(name, { replicas: 3, history: 1, ttl: 60_000 });
    await openBucket(nc, name, { replicas: 3, ttlMs: 120_000 });
    expect((await (await nc.jetstreamManager()).streams.info(`KV_${name}`)).config.max_age).to.equal(nanos(60_000));
  });

  it('updates an object bucket made without a TTL to its owner\'s TTL', async () => {
    const name = uniqueName('settings').replace(/-/g, '_');
    made.push(`OBJ_${name}`);
    await nc.jetstream().views.os(name, { replicas: 3 });
    await openObjectBucket(nc, name, { replicas: 3, ttlMs: 90_000, owner: createLogger('owner', 'silent') });
    const config = (await (await nc.jetstreamManager()).streams.info(`OBJ_${name}`)).config;
    expect(config.max_age).to.equal(nanos(90_000));
  });
});

describe('bucket reads: read-your-writes on a replicated bucket', () => {
  let nc: NatsConnection;
  let name: string;
  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'kv-reads-test', logger: createLogger('test', 'silent') });
    name = uniqueName('reads').replace(/-/g, '_');
  });
  after(async () => {
    await (await nc.jetstreamManager()).streams.delete(`KV_${name}`).catch(() => undefined);
    await nc.drain();
  });

  it('with leaderReads, asks the stream leader (STREAM.MSG.GET), never a possibly lagging replica (DIRECT.GET)', async () => {
    const kv = await openBucket(nc, name, { replicas: 3, leaderReads: true });
    // Both request subjects are plain NATS subjects: a subscriber sees every request sent on them.
    const direct = nc.subscribe(`$JS.API.DIRECT.GET.KV_${name}.>`);
    const directBare = nc.subscribe(`$JS.API.DIRECT.GET.KV_${name}`);
    const leader = nc.subscribe(`$JS.API.STREAM.MSG.GET.KV_${name}`);
    await nc.flush();
    for (let i = 0; i < 20; i++) {
      await kv.put('k', String(i));
      expect((await kv.get('k'))?.string()).to.equal(String(i));
    }
    await nc.flush();
    expect(leader.getReceived()).to.equal(20);
    expect(direct.getReceived() + directBare.getReceived()).to.equal(0);
    for (const sub of [direct, directBare, leader]) sub.unsubscribe();
  });
});
