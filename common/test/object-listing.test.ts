import { randomUUID } from 'node:crypto';
import { BUCKETS, connectNats, createLogger, openObjectBucket, type ObjectBucket } from '../src/index.js';
import { testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';

const logger = createLogger('object-listing-test', 'silent');
const bytes = (text: string): AsyncIterable<Uint8Array> => (async function* () { yield new TextEncoder().encode(text); })();
const put = (bucket: ObjectBucket, key: string): Promise<unknown> => bucket.put(key, bytes(key), { contentType: 'text/plain', maxBytes: 1_000 });

/**
 * Issue 21 item 3 (objects): a listing read every user's metadata (the Object Store's list() walks
 * all of `$O.<bucket>.M.>`). Now it reads the user's entries of a per-user index only: what one
 * listing receives does not grow with another user's objects.
 */
describe('object listing: per user, through the index', function () {
  this.timeout(120_000);
  let writer: NatsConnection;
  let lister: NatsConnection;
  let uploads: ObjectBucket;
  let listed: ObjectBucket;

  before(async () => {
    writer = await connectNats({ servers: testNatsUrls(), name: uniqueName('writer'), logger });
    // The listing's own connection: every message it receives is the listing's.
    lister = await connectNats({ servers: testNatsUrls(), name: uniqueName('lister'), logger });
    uploads = await openObjectBucket(writer, BUCKETS.objects, { replicas: 3, index: BUCKETS.objectIndex });
    listed = await openObjectBucket(lister, BUCKETS.objects, { replicas: 3, index: BUCKETS.objectIndex });
  });
  after(async () => {
    await writer?.close();
    await lister?.close();
  });

  /** The user's keys, and how many messages the listing connection received for them. */
  const listing = async (userId: string): Promise<{ keys: string[]; received: number }> => {
    const before = lister.stats().inMsgs;
    const keys = (await listed.listOwn(userId)).map((o) => o.key);
    return { keys, received: lister.stats().inMsgs - before };
  };

  it("receives as much for a user's listing whatever another user stores", async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    await Promise.all(['a.csv', 'dir/b.csv'].map((n) => put(uploads, `${alice}/${n}`)));
    await Promise.all(Array.from({ length: 20 }, (_, i) => put(uploads, `${bob}/first-${i}.txt`)));
    const small = await listing(alice);
    expect(small.keys).to.deep.equal([`${alice}/a.csv`, `${alice}/dir/b.csv`]);
    for (let round = 0; round < 4; round++) await Promise.all(Array.from({ length: 40 }, (_, i) => put(uploads, `${bob}/more-${round}-${i}.txt`)));
    const large = await listing(alice);
    expect(large.keys).to.deep.equal(small.keys);
    // 180 of bob's objects are in the store now: today's list() received every one of them.
    // (give or take a heartbeat of the connection)
    expect(large.received, 'messages one listing of alice received').to.be.at.most(small.received + 2);
    expect(large.received).to.be.below(20);
    expect((await listing(bob)).keys).to.have.length(180);
  });

  it('drops an entry when its object is deleted, and skips an entry whose object was never stored', async () => {
    const carol = randomUUID();
    await put(uploads, `${carol}/kept.txt`);
    await put(uploads, `${carol}/gone.txt`);
    await uploads.delete(`${carol}/gone.txt`);
    // A refused upload (past its cap) leaves neither an object nor an entry.
    const refused = await uploads.put(`${carol}/big.txt`, bytes('x'.repeat(50)), { contentType: 'text/plain', maxBytes: 10 }).catch((err: Error) => err);
    expect(refused).to.be.instanceOf(Error);
    // An entry written just before its store write failed (a crash between the two): skipped.
    const index = await writer.jetstream().views.kv(BUCKETS.objectIndex, { bindOnly: true });
    await index.put(`${carol}.${Buffer.from('ghost.txt').toString('base64url')}`, '');
    expect((await listing(carol)).keys).to.deep.equal([`${carol}/kept.txt`]);
  });

  it('fills a new index once with the objects its store held before, at the owner’s start', async () => {
    const store = uniqueName('listing-store');
    const owner = { replicas: 3, owner: logger };
    const indexes = [uniqueName('listing-index-a'), uniqueName('listing-index-b')];
    const first = await openObjectBucket(writer, store, { ...owner, index: indexes[0] as string });
    const dave = randomUUID();
    await put(first, `${dave}/indexed.txt`);
    // Stored as before the index existed: straight into the Object Store.
    const raw = await writer.jetstream().views.os(store);
    await raw.putBlob({ name: `${dave}/old.txt` }, new TextEncoder().encode('old'));
    const reopened = await openObjectBucket(writer, store, { ...owner, index: indexes[1] as string });
    expect((await reopened.listOwn(dave)).map((o) => o.key)).to.deep.equal([`${dave}/indexed.txt`, `${dave}/old.txt`]);
    const jsm = await writer.jetstreamManager();
    for (const stream of [`OBJ_${store}`, ...indexes.map((i) => `KV_${i}`)]) await jsm.streams.delete(stream);
  });
});
