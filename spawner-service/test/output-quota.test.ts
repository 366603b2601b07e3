import { BUCKETS, openBucket, openObjectBucket, type ObjectBucket } from '@faas/common';
import { uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { buildImages, connectTestClient, execute, executionRequest, startTestSpawner, type SpawnerUnderTest, type TestClient } from './helpers.js';

const IMAGE = 'faas-test-sp-output-quota:latest';
/** Two outputs of the argument's size each. */
const SCRIPT = 'head -c "$1" /dev/zero > /faas/out/a.bin; head -c "$1" /dev/zero > /faas/out/b.bin';
const QUOTA = 600_000;
/** The Object Store's chunk: the least an object is charged. */
const OBJECT_CHUNK_BYTES = 128 * 1024;

/** Issue 21, item 3: outputs (64 MiB a run, kept for days) count in their owner's storage quota. */
describe('spawner: outputs are charged to their owner\'s storage quota', function () {
  this.timeout(120_000);
  let sut: SpawnerUnderTest;
  let client: TestClient;
  let outputs: ObjectBucket;
  before(async () => {
    await buildImages({ [IMAGE]: SCRIPT });
    client = await connectTestClient();
    sut = await startTestSpawner({ MAX_OBJECT_BYTES_PER_USER: String(QUOTA) });
    outputs = await openObjectBucket(client.nc, BUCKETS.outputs, { replicas: 3, index: BUCKETS.outputIndex });
  });
  after(async () => {
    await sut?.close();
    await client?.close();
  });

  it('stores outputs while the quota lasts, then stops the collection with truncated; another user is unaffected', async () => {
    const userId = uniqueName('out-quota');
    const run = (user: string, size: number) => execute(sut, executionRequest(IMAGE, String(size), { userId: user, outputs: true }), 60_000);
    const first = await run(userId, 200_000);
    expect(first.status, first.error).to.equal('succeeded');
    expect(first.outputs).to.deep.include({ truncated: false });
    expect(first.outputs?.files).to.have.length(2);
    const second = await run(userId, 200_000);
    expect(second.status, second.error).to.equal('succeeded');
    expect(second.outputs?.truncated, 'the second file would pass 600 000 bytes').to.equal(true);
    expect(second.outputs?.files.map((f) => f.path)).to.deep.equal(['a.bin']);
    expect((await outputs.listOwn(userId)).filter((o) => o.key.startsWith(`${userId}/${second.id}/`)).map((o) => o.key)).to.deep.equal([`${userId}/${second.id}/a.bin`]);

    const tiny = await run(userId, 1);
    expect(tiny.outputs, `the quota is used up; even one byte is charged a chunk (${OBJECT_CHUNK_BYTES})`).to.deep.include({ truncated: true, files: [] });
    const usage = await openBucket(client.nc, BUCKETS.objectUsage, { replicas: 3, leaderReads: true });
    const entry = (await usage.get(userId))?.json<{ outputs: Record<string, { bytes: number; objects: number }> }>();
    const charged = Object.values(entry?.outputs ?? {}).reduce((sum, day) => ({ bytes: sum.bytes + day.bytes, objects: sum.objects + day.objects }), { bytes: 0, objects: 0 });
    expect(charged, 'the charge, kept by the day stored').to.deep.equal({ bytes: 600_000, objects: 3 });

    const other = await run(uniqueName('out-quota'), 200_000);
    expect(other.outputs).to.deep.include({ truncated: false });
    expect(other.outputs?.files).to.have.length(2);
  });
});
