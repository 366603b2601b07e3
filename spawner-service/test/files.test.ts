import { BUCKETS, openObjectBucket, type ExecutionRecord, type ObjectBucket } from '@faas/common';
import { uniqueName } from '@faas/testing';
import { expect } from 'chai';
import {
  TEST_RUN_LABEL,
  buildImages,
  connectTestClient,
  docker,
  execute,
  executionRequest,
  startTestSpawner,
  type SpawnerUnderTest,
  type TestClient,
} from './helpers.js';

const IMAGE = 'faas-test-sp-files:latest';

/** Probes the sandbox, then does what the argument says with /faas/in and /faas/out. */
const SCRIPT = `
touch /faas/in/new 2>/dev/null && echo "in:rw" || echo "in:ro"
touch /probe 2>/dev/null && echo "root:rw" || echo "root:ro"
echo "net:$(ls /sys/class/net | tr '\\n' ' ')"
case "$1" in
  count)
    wc -l < /faas/in/data/in.csv | tr -d ' ' > /faas/out/count.txt
    mkdir -p /faas/out/sub && tr a-z A-Z < /faas/in/data/in.csv > /faas/out/sub/upper.csv ;;
  hostile)
    echo kept > /faas/out/kept.txt
    ln -s /etc/passwd /faas/out/passwd
    ln /faas/out/kept.txt /faas/out/hard
    mkfifo /faas/out/fifo ;;
  flood)
    i=0; while [ $i -lt 10000 ]; do : > /faas/out/f$i; i=$((i+1)); done ;;
  big)
    head -c 300000 /dev/zero > /faas/out/big.bin ;;
  look)
    ls /faas/in /faas/out 2>&1; true ;;
  slow)
    echo partial > /faas/out/partial.txt; sleep 30 ;;
esac
`;

async function* bytes(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text);
}

/** The engine's create events for an execution's containers since `since` (unix seconds). */
async function createdFor(executionId: string, since: number): Promise<number> {
  const until = Math.ceil(Date.now() / 1000) + 1;
  const stream = await docker.getEvents({ since, until, filters: { type: ['container'], event: ['create'], label: [`faas.execution=${executionId}`] } });
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString();
  return text.split('\n').filter(Boolean).length;
}

describe('spawner: inputs under /faas/in and outputs from /faas/out', function () {
  this.timeout(180_000);
  let sut: SpawnerUnderTest;
  let client: TestClient;
  let uploads: ObjectBucket;
  let outputs: ObjectBucket;
  const userId = uniqueName('files-user');
  const run = (argument: string, extra: Record<string, unknown> = {}): Promise<ExecutionRecord> =>
    execute(sut, executionRequest(IMAGE, argument, { userId, ...extra }), 60_000);
  const outputText = async (record: ExecutionRecord, path: string): Promise<string> => {
    const object = await outputs.info(`${userId}/${record.id}/${path}`);
    if (!object) throw new Error(`no output ${path}`);
    let text = '';
    for await (const chunk of outputs.read(object)) text += Buffer.from(chunk).toString();
    return text;
  };

  before(async () => {
    await buildImages({ [IMAGE]: SCRIPT });
    client = await connectTestClient();
    sut = await startTestSpawner({ MAX_OUTPUT_FILES: '50', MAX_OUTPUT_BYTES: '200000', MAX_INPUT_BYTES: '1000' });
    uploads = await openObjectBucket(client.nc, BUCKETS.objects, { replicas: 3, index: BUCKETS.objectIndex });
    outputs = await openObjectBucket(client.nc, BUCKETS.outputs, { replicas: 3, ttlMs: sut.config.files.outputsTtlMs, index: BUCKETS.outputIndex });
    await uploads.put(`${userId}/data/in.csv`, bytes('a,b\n1,2\n3,4\n'), { contentType: 'text/csv', maxBytes: 1024 });
  });
  after(async () => {
    await sut?.close();
    await client?.close();
  });

  for (const warm of [true, false]) {
    it(`reads an input read-only (root read-only, no network) and stores two outputs listed in the record (warm: ${warm})`, async () => {
      const record = await run('count', { inputs: ['data/in.csv'], warm });
      expect(record.status, record.error).to.equal('succeeded');
      expect(record.result).to.equal('in:ro\nroot:ro\nnet:lo \n');
      expect(record.inputs).to.deep.equal(['data/in.csv']);
      expect(record.outputs?.truncated).to.equal(false);
      expect(record.outputs?.files).to.deep.equal([
        { path: 'count.txt', name: `executions/${record.id}/count.txt`, size: 2 },
        { path: 'sub/upper.csv', name: `executions/${record.id}/sub/upper.csv`, size: 12 },
      ]);
      expect(await outputText(record, 'count.txt')).to.equal('3\n');
      expect(await outputText(record, 'sub/upper.csv')).to.equal('A,B\n1,2\n3,4\n');
    });
  }

  it("gives a warm run after a run with files no /faas/in or /faas/out of the earlier run's", async () => {
    await run('count', { inputs: ['data/in.csv'] });
    const plain = await run('look');
    expect(plain.status, plain.error).to.equal('succeeded');
    expect(plain.result).to.not.include('in.csv');
    expect(plain.result).to.not.include('count.txt');
    expect(plain.outputs).to.equal(undefined);
  });

  it('ends an execution with a missing input (or another user\'s object) as error naming it, without creating a container', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await uploads.put(`someone-else/theirs.csv`, bytes('x'), { contentType: 'text/csv', maxBytes: 10 });
    for (const name of ['data/nope.csv', 'theirs.csv']) {
      const record = await run('count', { inputs: ['data/in.csv', name] });
      expect(record.status).to.equal('error');
      expect(record.error).to.include(name);
      expect(await createdFor(record.id, since), 'containers created').to.equal(0);
    }
  });

  it('ends an execution whose inputs pass MAX_INPUT_BYTES as error, without creating a container', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await uploads.put(`${userId}/big.csv`, bytes('x'.repeat(995)), { contentType: 'text/csv', maxBytes: 2000 });
    const record = await run('count', { inputs: ['data/in.csv', 'big.csv'] });
    expect(record.status).to.equal('error');
    expect(record.error).to.include('MAX_INPUT_BYTES');
    expect(await createdFor(record.id, since), 'containers created').to.equal(0);
  });

  it('skips a symlink to /etc/passwd, a hard link and a fifo in /faas/out, never following them', async () => {
    const record = await run('hostile', { outputs: true });
    expect(record.status, record.error).to.equal('succeeded');
    // The engine archives one of the two hard-linked names as the file and the other as a link to it.
    const stored = record.outputs?.files ?? [];
    expect(stored).to.have.length(1);
    expect(['kept.txt', 'hard']).to.include(stored[0]?.path);
    expect(await outputText(record, stored[0]?.path ?? '')).to.equal('kept\n');
    expect(record.outputs?.skipped, 'the symlink, the hard link and the fifo').to.equal(3);
    expect(await outputs.info(`${userId}/${record.id}/passwd`)).to.equal(undefined);
  });

  it('caps a 10 000-file flood at MAX_OUTPUT_FILES and a file over MAX_OUTPUT_BYTES, saying truncated', async () => {
    const flood = await run('flood', { outputs: true });
    expect(flood.status, flood.error).to.equal('succeeded');
    expect(flood.outputs?.files).to.have.length(50);
    expect(flood.outputs?.truncated).to.equal(true);
    const big = await run('big', { outputs: true });
    expect(big.status, big.error).to.equal('succeeded');
    expect(big.outputs).to.deep.equal({ files: [], truncated: true, skipped: 0 });
    expect((await outputs.listOwn(userId)).filter((o) => o.key.startsWith(`${userId}/${big.id}/`))).to.deep.equal([]);
  });

  it('keeps what a function wrote before it was killed on its timeout', async () => {
    const limits = { timeoutSeconds: 2, memoryMb: 64, cpus: 0.5, network: 'none' as const };
    const record = await run('slow', { outputs: true, limits });
    expect(record.status).to.equal('timed_out');
    expect(record.outputs?.files.map((f) => [f.path, f.size])).to.deep.equal([['partial.txt', 8]]);
    expect(await outputText(record, 'partial.txt')).to.equal('partial\n');
  });

  it('leaves no file volume behind', async () => {
    const volumes = await docker.listVolumes({ filters: { label: [TEST_RUN_LABEL, 'faas.files=true'] } });
    expect(volumes.Volumes ?? []).to.deep.equal([]);
  });
});

describe('spawner: file volumes a dead spawner left behind', function () {
  this.timeout(60_000);
  let sut: SpawnerUnderTest;
  const made: string[] = [];
  after(async () => {
    await sut?.close();
    for (const name of made) await docker.getVolume(name).remove({ force: true }).catch(() => undefined);
  });

  it('removes stale unused ones and keeps those a container refers to', async () => {
    const labels = { 'faas.files': 'true', 'faas.test.run': TEST_RUN_LABEL.split('=')[1] ?? '', 'faas.test': '1' };
    const [unused, used] = [uniqueName('faas-in-left'), uniqueName('faas-in-used')];
    made.push(unused, used);
    for (const name of [unused, used]) await docker.createVolume({ Name: name, Labels: labels });
    const holder = await docker.createContainer({
      Image: IMAGE,
      Labels: { 'faas.test': '1', 'faas.test.run': labels['faas.test.run'] },
      HostConfig: { Mounts: [{ Type: 'volume', Source: used, Target: '/faas/in', ReadOnly: true }] },
    });
    try {
      sut = await startTestSpawner({ ORPHAN_GRACE_MS: '1000', ORPHAN_SWEEP_MS: '1000' });
      const names = async (): Promise<string[]> =>
        ((await docker.listVolumes({ filters: { label: ['faas.files=true', TEST_RUN_LABEL] } })).Volumes ?? []).map((v) => v.Name);
      const deadline = Date.now() + 30_000;
      while ((await names()).includes(unused) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      const left = await names();
      expect(left).to.not.include(unused);
      expect(left).to.include(used);
    } finally {
      await holder.remove({ force: true });
    }
  });
});
