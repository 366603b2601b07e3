import { BUCKETS, openBucket } from '@faas/common';
import { buildStateLeakingImage, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { connectTestClient, definitionFor, definitionKey, execute, executionRequest, publishMessage, startTestSpawner, waitForFinal, type SpawnerUnderTest } from './helpers.js';

const IMAGE = 'faas-test-sp-warm-reset:latest';

/** Every mode prints the container's hostname (its short id) first. */
const SCRIPT = [
  'id=$(hostname)',
  'case "$1" in',
  '  litter) echo secret > /data/left; mkdir -p /data/locked/deep; chmod 000 /data/locked; printf "%s" "$id" ;;',
  '  look) printf "%s|%s" "$id" "$(ls -A /data)" ;;',
  '  fsize) /bin/lower-pid1-fsize && printf "%s" "$id" ;;',
  '  nice) renice -n 10 -p 1 >/dev/null && printf "%s" "$id" ;;',
  '  affinity) taskset -p 1 1 >/dev/null && printf "%s" "$id" ;;',
  '  state) echo x > /tmp/written && printf "%s|%s|%s" "$id" "$(cut -d" " -f19 /proc/self/stat)" "$(grep Cpus_allowed_list /proc/self/status | cut -f2)" ;;',
  '  oom) printf "%s|%s" "$id" "$(cat /proc/self/oom_score_adj)" ;;',
  'esac',
  '',
].join('\n');

const limits = { timeoutSeconds: 10, memoryMb: 32, cpus: 0.5, network: 'none' as const };

describe('spawner: what a warm run leaves for the next one', () => {
  let sut: SpawnerUnderTest;
  const user = uniqueName('reset-user');
  const request = (argument: string, fn: string) => executionRequest(IMAGE, argument, { userId: user, function: fn, revision: 1, limits });
  const ok = async (argument: string, fn: string): Promise<string[]> => {
    const record = await execute(sut, request(argument, fn), 30_000);
    expect(record.status, `${argument}: ${record.error ?? ''} ${record.logs ?? ''}`).to.equal('succeeded');
    return (record.result ?? '').split('|');
  };

  before(async function () {
    this.timeout(180_000);
    await buildStateLeakingImage(IMAGE, SCRIPT);
    const client = await connectTestClient();
    await openBucket(client.nc, BUCKETS.functions, { replicas: 3 });
    await client.close();
    sut = await startTestSpawner({ MAX_CONTAINERS: '2', WARM_DEFAULT: 'true', MAX_WARM_CONTAINERS: '4' });
  });
  after(async () => {
    await sut?.close();
  });

  it('empties the image VOLUME paths between runs, in the same container', async () => {
    const [littered] = await ok('litter', 'volfn');
    const [host, left] = await ok('look', 'volfn');
    expect(host).to.equal(littered);
    expect(left).to.equal('');
  });

  for (const change of ['fsize', 'nice', 'affinity']) {
    it(`replaces a container whose PID 1 a run changed (${change}): the next run has the limits of a fresh one`, async () => {
      const fn = `${change}fn`;
      const [, freshNice, freshCpus] = await ok('state', fn);
      const [changed] = await ok(change, fn);
      const [host, nice, cpus] = await ok('state', fn);
      expect(host).to.not.equal(changed);
      expect(freshNice).to.match(/^-?\d+$/);
      expect(freshCpus).to.match(/^\d/);
      expect([nice, cpus]).to.deep.equal([freshNice, freshCpus]);
    });
  }

  it('gives runs oom_score_adj 1000, so an out-of-memory kill takes the run and not the supervisor', async () => {
    const [, adj] = await ok('oom', 'oomfn');
    expect(adj).to.equal('1000');
  });

  it('never reuses a container of a deleted function for one made again with the same spec (revision 1 again)', async () => {
    const first = request('oom', 'remadefn');
    const [before] = await ok('oom', 'remadefn');
    const functions = await openBucket(sut.nc, BUCKETS.functions, { replicas: 3 });
    // As if the delete was never seen: the same key, revision 1, a new definition id.
    await functions.put(definitionKey(first), JSON.stringify({ ...definitionFor(first), id: uniqueName('remade') }));
    const again = request('oom', 'remadefn');
    await publishMessage(sut.nc, again);
    const record = await waitForFinal(sut.store, again.id, 30_000);
    expect(record.status, record.error ?? '').to.equal('succeeded');
    expect((record.result ?? '').split('|')[0]).to.not.equal(before);
  });
});
