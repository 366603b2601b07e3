import { expect } from 'chai';
import { buildImages, containersOf, execute, executionRequest, startIsolatedSpawner, type SpawnerUnderTest } from './helpers.js';

const SLEEP_IMAGE = 'faas-test-sp-sleep:latest';

describe('spawner: back-pressure from MAX_CONTAINERS', () => {
  let sut: SpawnerUnderTest;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [SLEEP_IMAGE]: 'sleep "$1"\n' });
    // Its own NATS cluster: on the suite's shared one, a message another test left on the queue
    // (this is the first spawner test after the publisher's and registry's) can reach this
    // spawner, run another function, and leave its warm container idle beside the two running
    // ones: three containers, the bound kept (idle warm containers count against
    // MAX_WARM_CONTAINERS, not MAX_CONTAINERS). A fresh clone failed on exactly that count.
    sut = await startIsolatedSpawner({ MAX_CONTAINERS: '2' });
  });
  after(async () => {
    if (!sut) return; // before() failed
    await sut.close();
    expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
  });

  it('never runs more than 2 containers at once with 6 queued executions, and finishes all 6', async function () {
    this.timeout(60_000);
    let maxContainers = 0;
    let maxBusy = 0;
    // The fullest listing seen, to name what was there when a bound is broken.
    let fullest = '';
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const containers = await containersOf(`faas.spawner=${sut.config.spawnerId}`);
        if (containers.length > maxContainers) {
          maxContainers = containers.length;
          fullest = containers.map((c) => `${c.Id.slice(0, 12)} ${c.Labels['faas.execution'] ?? '?'} ${c.State} (${c.Status})`).join('; ');
        }
        maxBusy = Math.max(maxBusy, sut.spawner.busy());
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const requests = Array.from({ length: 6 }, () => executionRequest(SLEEP_IMAGE, '1'));
    const records = await Promise.all(requests.map((request) => execute(sut, request, 40_000)));
    watching = false;
    await watcher;
    expect(records.map((r) => r.status)).to.deep.equal(Array(6).fill('succeeded'));
    // Named in the message: a third container could be one being removed (exited, a run's
    // discarded warm container) or a third running one (the bound broken); only its state tells.
    expect(maxContainers, `containers of this spawner at once (busy slots at most ${maxBusy}): ${fullest}`).to.be.within(1, 2);
    expect(maxBusy, 'busy slots at once').to.be.within(1, 2);
    const ours = records.filter((r) => r.spawner === sut.config.spawnerId);
    expect(ours.length, 'executions this spawner ran').to.be.greaterThan(2);
  });
});
