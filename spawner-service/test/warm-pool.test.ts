import { uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { buildImages, containersOf, execute, executionRequest, startIsolatedSpawner, type SpawnerUnderTest } from './helpers.js';

const IMAGE = 'faas-test-sp-pool:latest';
/** Prints the container's hostname (its short id): which container ran the run. */
const SCRIPT = 'printf "%s" "$(hostname)"\n';
const limits = { timeoutSeconds: 10, memoryMb: 32, cpus: 0.5, network: 'none' as const };

/** One counter's value from the spawner's registry (a labelled series, or the sum of all). */
async function counter(sut: SpawnerUnderTest, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await sut.registry.getSingleMetric(name)?.get();
  const wanted = Object.entries(labels);
  return (metric?.values ?? [])
    .filter((v) => wanted.every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value))
    .reduce((sum, v) => sum + v.value, 0);
}

/**
 * A spawner of its own (on a NATS cluster of its own) for the describe it is called in: its tests
 * count cold starts and evictions, and an execution of another test delivered to their spawner
 * would take the pool's slot (helpers.ts). Every container is gone after it stops.
 */
function poolUnderTest(env: Record<string, string>, userPrefix: string) {
  let sut: SpawnerUnderTest | undefined;
  const user = uniqueName(userPrefix);
  const spawner = (): SpawnerUnderTest => {
    if (!sut) throw new Error('the spawner did not start');
    return sut;
  };
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGE]: SCRIPT });
    sut = await startIsolatedSpawner({ WARM_DEFAULT: 'true', ...env });
  });
  after(async () => {
    if (!sut) return;
    await sut.close();
    expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
  });
  return {
    run: (fn: string) => execute(spawner(), executionRequest(IMAGE, 'x', { userId: user, function: fn, revision: 1, limits }), 30_000),
    coldStarts: (): Promise<number> => counter(spawner(), 'faas_spawner_warm_starts_total', { kind: 'new' }),
    counter: (name: string, labels: Record<string, string> = {}): Promise<number> => counter(spawner(), name, labels),
  };
}

describe('spawner: the warm pool under pressure (MAX_WARM_CONTAINERS=1)', () => {
  const { run, coldStarts, counter: count } = poolUnderTest({ MAX_CONTAINERS: '2', MAX_WARM_CONTAINERS: '1' }, 'pool-user');

  it('keeps one of two alternating keys warm instead of each evicting the other on every run', async function () {
    this.timeout(120_000);
    const [a, b] = [uniqueName('pool-a'), uniqueName('pool-b')].map((n) => n.replace(/[^A-Za-z0-9_-]/g, '_'));
    // Four runs measure the keys' request rates; then the pool keeps the key due back first.
    for (let i = 0; i < 4; i++) expect((await run(i % 2 === 0 ? (a ?? '') : (b ?? ''))).status).to.equal('succeeded');
    const before = { cold: await coldStarts(), evicted: await count('faas_spawner_warm_evictions_total') };
    const runs = 8;
    for (let i = 0; i < runs; i++) expect((await run(i % 2 === 0 ? (a ?? '') : (b ?? ''))).status).to.equal('succeeded');
    const cold = (await coldStarts()) - before.cold;
    // Least recently used alone evicted the key asked for next: every one of these runs started cold.
    expect(cold, `${cold} cold starts in ${runs} alternating runs`).to.be.at.most(runs / 2);
    expect((await count('faas_spawner_warm_evictions_total')) - before.evicted).to.be.at.most(runs / 2);
    expect(await count('faas_spawner_warm_starts_after_eviction_total')).to.be.greaterThan(0);
  });
});

// Its own spawner too: an idle container of the test above (keys a and b, measured due back)
// would compete with this test's new key, whose only gap so far is the warm-up pair's (about 0 ms),
// so the pool kept the old key and the new key's first two pairs started cold (a fresh-clone miss).
describe('spawner: a pair of runs of one key on a full pool (MAX_WARM_CONTAINERS=1)', () => {
  const { run, coldStarts, counter: count } = poolUnderTest({ MAX_CONTAINERS: '2', MAX_WARM_CONTAINERS: '1' }, 'pool-pair-user');

  it('waits for its own busy container rather than start one when the pool is full', async function () {
    this.timeout(120_000);
    const fn = uniqueName('pool-pair').replace(/[^A-Za-z0-9_-]/g, '_');
    const pair = async (): Promise<string[]> => {
      const records = await Promise.all([run(fn), run(fn)]);
      for (const r of records) expect(r.status, r.error ?? '').to.equal('succeeded');
      return records.map((r) => r.result ?? '');
    };
    await pair(); // measures this key's run time and a cold start
    const before = await coldStarts();
    const rounds = 8;
    const hosts = new Set<string>();
    const seen: string[] = [];
    for (let i = 0; i < rounds; i++) {
      const pairCold = await coldStarts();
      const pairHosts = await pair();
      for (const host of pairHosts) hosts.add(host);
      seen.push(`${pairHosts.join('+')}${(await coldStarts()) > pairCold ? ' (cold)' : ''}`);
    }
    const cold = (await coldStarts()) - before;
    const waits = { served: await count('faas_spawner_warm_waits_total', { outcome: 'served' }), started: await count('faas_spawner_warm_waits_total', { outcome: 'started' }) };
    const story = `pairs: ${seen.join(', ')}; waits ${JSON.stringify(waits)}`;
    // Without waiting, the second run of each pair started a container (8 of 8) and the first one back
    // was evicted. A wait ends after one measured cold start's time: on a loaded machine a run can
    // hold its container longer than that, and then the waiting run starts one.
    expect(cold, `${cold} cold starts in ${rounds} pairs; ${story}`).to.be.at.most(rounds / 2);
    expect(hosts.size, story).to.be.at.most(2);
    expect(await count('faas_spawner_warm_waits_total', { outcome: 'served' })).to.be.greaterThan(0);
  });
});

describe('spawner: keys sharing a full pool in closed loops (MAX_CONTAINERS=3, MAX_WARM_CONTAINERS=3)', () => {
  const { run, coldStarts } = poolUnderTest({ MAX_CONTAINERS: '3', MAX_WARM_CONTAINERS: '3' }, 'pool-loop');

  it('keeps each key its container: a key with two clients waits for its own instead of evicting a key between two runs', async function () {
    this.timeout(240_000);
    const [a, b, c] = ['a', 'b', 'c'].map((k) => uniqueName(`pool-loop-${k}`).replace(/[^A-Za-z0-9_-]/g, '_')) as [string, string, string];
    // Four clients, three keys: a has two, so its runs overlap whenever b or c is between two runs.
    const clients = [a, a, b, c];
    const loop = async (fn: string, n: number): Promise<void> => {
      for (let i = 0; i < n; i++) expect((await run(fn)).status).to.equal('succeeded');
    };
    await Promise.all(clients.map((fn) => loop(fn, 4))); // every key's container, run time and request gap measured
    const before = await coldStarts();
    const perClient = 24;
    await Promise.all(clients.map((fn) => loop(fn, perClient)));
    const cold = (await coldStarts()) - before;
    // A guard against churn (each overlap of a's two runs starting a container and evicting one),
    // not a figure: at load 15-25, counting only the keys with a run in hand as wanted
    // gave 4, 6 and 4 cold starts in 96 runs, counting the keys due back too 0, 0, 0 and 4 (a
    // wait ends after one measured cold start, and a loaded machine can hold a run longer).
    // The hit rate itself is measured by the bench, section 9.
    expect(cold, `${cold} cold starts in ${clients.length * perClient} runs`).to.be.at.most(clients.length * perClient / 10);
  });
});
