import { BUCKETS, openBucket } from '@faas/common';
import { uniqueName } from '@faas/testing';
import { expect } from 'chai';
import {
  buildImages,
  connectTestClient,
  containersOf,
  eventuallyGone,
  execute,
  executionRequest,
  startTestSpawner,
  type SpawnerUnderTest,
} from './helpers.js';

const WARM_IMAGE = 'faas-test-sp-warm:latest';
/** One image, a mode per argument; every mode prints the container's hostname (its short id) first. */
const WARM_SCRIPT = [
  'id=$(hostname)',
  'case "$1" in',
  '  id) printf "%s" "$id" ;;',
  '  litter) echo secret > /tmp/left; mkdir -p /tmp/locked/deep; chmod 000 /tmp/locked; echo s > /dev/shm/left; printf "%s" "$id" ;;',
  '  look) printf "%s|%s|%s" "$id" "$(ls -A /tmp)" "$(ls -A /dev/shm)" ;;',
  '  forge)',
  '    (sleep 1; printf FORGED) &',
  '    for f in /proc/1/fd/0 /proc/1/fd/1 /proc/1/fd/2; do printf "FR01forged" 2>/dev/null > "$f" && echo "opened $f" >&2; done',
  '    printf "FR01\\000\\000\\000\\000%s" "$id" ;;',
  '  linger) (sleep 1; echo late > /tmp/late) & printf "%s" "$id" ;;',
  '  sleep) sleep 30 ;;',
  '  hog) x=$(head -c 200000000 /dev/zero | tr "\\000" a); echo "allocated ${#x}" ;;',
  '  env) printf "%s:%s" "$id" "${PER_RUN:-unset}" ;;',
  'esac',
  '',
].join('\n');

const limits = { timeoutSeconds: 10, memoryMb: 32, cpus: 0.5, network: 'none' as const };

describe('spawner: warm containers', () => {
  let sut: SpawnerUnderTest;
  const user = uniqueName('warm-user');
  const run = async (argument: string, overrides: Parameters<typeof executionRequest>[2] = {}) =>
    execute(sut, executionRequest(WARM_IMAGE, argument, { userId: user, function: 'warmfn', revision: 1, limits, ...overrides }), 30_000);
  const hostOf = async (overrides: Parameters<typeof executionRequest>[2] = {}): Promise<string> => {
    const record = await run('id', overrides);
    expect(record.status, record.error ?? record.logs ?? '').to.equal('succeeded');
    return record.result ?? '';
  };

  before(async function () {
    this.timeout(120_000);
    await buildImages({ [WARM_IMAGE]: WARM_SCRIPT });
    // The registry's bucket, as the registry opens it, before the spawner starts following it.
    const client = await connectTestClient();
    await openBucket(client.nc, BUCKETS.functions, { replicas: 3 });
    await client.close();
    sut = await startTestSpawner({ MAX_CONTAINERS: '2', WARM_DEFAULT: 'true', MAX_WARM_CONTAINERS: '4' });
  });
  after(async () => {
    if (!sut) return;
    await sut.close();
    expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
  });

  it('reuses one container across runs of one function', async () => {
    const hosts = [await hostOf(), await hostOf(), await hostOf()];
    expect(hosts[0]).to.match(/^[0-9a-f]{12}$/);
    expect(new Set(hosts).size).to.equal(1);
    const warm = await containersOf(`faas.spawner=${sut.config.spawnerId}`);
    expect(warm.map((c) => c.Labels['faas.warm'])).to.deep.equal(['true']);
  });

  it('never shares a container across users with the same image, nor across revisions', async () => {
    const mine = await hostOf();
    const theirs = await hostOf({ userId: uniqueName('other-user') });
    const nextRevision = await hostOf({ revision: 2 });
    expect(theirs).to.not.equal(mine);
    expect(nextRevision).to.not.equal(mine);
    expect(nextRevision).to.not.equal(theirs);
  });

  it('gives a run nothing of the previous run in /tmp or /dev/shm', async () => {
    const littered = await run('litter');
    expect(littered.status).to.equal('succeeded');
    const looked = await run('look');
    expect(looked).to.include({ status: 'succeeded', result: `${littered.result ?? ''}||` });
  });

  it('kills what a run left running before the next run starts', async () => {
    const lingered = await run('linger');
    const looked = await run('look');
    await new Promise((r) => setTimeout(r, 1_500)); // past the leftover's own 1 s sleep
    const again = await run('look');
    expect(looked.result).to.equal(`${lingered.result ?? ''}||`);
    expect(again.result).to.equal(`${lingered.result ?? ''}||`);
  });

  it('keeps a run from writing to the supervisor or forging a later result', async () => {
    const forged = await run('forge');
    expect(forged.status).to.equal('succeeded');
    expect(forged.logs).to.not.match(/opened/);
    expect(forged.result?.slice(0, 8)).to.equal('FR01\u0000\u0000\u0000\u0000');
    const next = await run('id');
    expect(next).to.include({ status: 'succeeded', result: forged.result?.slice(8) });
  });

  it('runs the next execution after one timed out', async function () {
    this.timeout(40_000);
    // The same limits (so the same warm key) for both runs; 1 s was too little for the second run
    // itself on a loaded machine (the flake hunt saw it time out too), 3 s is not.
    const timedOut = await run('sleep', { limits: { ...limits, timeoutSeconds: 3 } });
    expect(timedOut.status).to.equal('timed_out');
    expect((await run('id', { limits: { ...limits, timeoutSeconds: 3 } })).status).to.equal('succeeded');
  });

  it('reports a run that ran out of memory and replaces its container', async () => {
    const before = await hostOf();
    const hog = await run('hog');
    expect(hog.status).to.equal('failed');
    expect(hog.error).to.match(/out of memory/);
    const after = await hostOf();
    expect(after).to.not.equal(before);
  });

  it('removes the idle containers of a function at once when the registry updates it', async function () {
    this.timeout(30_000);
    const name = uniqueName('updated').replace(/[^A-Za-z0-9_-]/g, '_');
    const host = await hostOf({ function: name });
    expect((await containersOf(`faas.function=${name}`)).map((c) => c.Id.slice(0, 12))).to.deep.equal([host]);
    const functions = await openBucket(sut.nc, BUCKETS.functions, { replicas: 3 });
    await functions.put(`${user}.${name}`, JSON.stringify({ name, revision: 2 }));
    await eventuallyGone(`faas.function=${name}`, 15_000);
  });

  it('starts a fresh container every run for a function that asks for it', async () => {
    const fresh = { function: 'freshfn', warm: false };
    const hosts = [await hostOf(fresh), await hostOf(fresh)];
    expect(hosts[0]).to.not.equal(hosts[1]);
    expect(await containersOf(`faas.function=freshfn`)).to.have.length(0);
  });
});

describe('spawner: idle warm containers', () => {
  it('removes idle containers after the idle timeout', async function () {
    this.timeout(60_000);
    await buildImages({ [WARM_IMAGE]: WARM_SCRIPT });
    // The only spawner now (the suite above closed its own), so the run lands here.
    const short = await startTestSpawner({ WARM_IDLE_SECONDS: '1', MAX_WARM_CONTAINERS: '4' });
    try {
      const record = await execute(short, executionRequest(WARM_IMAGE, 'id', { userId: uniqueName('idle-user'), revision: 1, limits }));
      expect(record.spawner).to.equal(short.config.spawnerId);
      await eventuallyGone(`faas.spawner=${short.config.spawnerId}`, 20_000);
    } finally {
      await short.close();
    }
  });
});
