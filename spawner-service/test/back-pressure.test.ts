import { expect } from 'chai';
import { buildImages, containersOf, execute, executionRequest, startTestSpawner, type SpawnerUnderTest } from './helpers.js';

const SLEEP_IMAGE = 'faas-test-sp-sleep:latest';

describe('spawner: back-pressure from MAX_CONTAINERS', () => {
  let sut: SpawnerUnderTest;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [SLEEP_IMAGE]: 'sleep "$1"\n' });
    sut = await startTestSpawner({ MAX_CONTAINERS: '2' });
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
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const containers = await containersOf(`faas.spawner=${sut.config.spawnerId}`);
        maxContainers = Math.max(maxContainers, containers.length);
        maxBusy = Math.max(maxBusy, sut.spawner.busy());
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const requests = Array.from({ length: 6 }, () => executionRequest(SLEEP_IMAGE, '1'));
    const records = await Promise.all(requests.map((request) => execute(sut, request, 40_000)));
    watching = false;
    await watcher;
    expect(records.map((r) => r.status)).to.deep.equal(Array(6).fill('succeeded'));
    expect(maxContainers, 'containers of this spawner at once').to.be.within(1, 2);
    expect(maxBusy, 'busy slots at once').to.be.within(1, 2);
    const ours = records.filter((r) => r.spawner === sut.config.spawnerId);
    expect(ours.length, 'executions this spawner ran').to.be.greaterThan(2);
  });
});
