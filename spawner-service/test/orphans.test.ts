import { FUNCTION_SCRIPTS, eventually, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type Docker from 'dockerode';
import { IMAGES, TEST_RUN, buildImages, docker, startTestSpawner, type SpawnerUnderTest } from './helpers.js';

/** A container as a spawner that died (under another id) would have left it. */
async function leftover(image: string, argument: string): Promise<Docker.Container> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: [argument],
    Labels: {
      'faas.managed': 'true',
      'faas.spawner': uniqueName('faas-test-gone'),
      'faas.test': '1',
      'faas.test.suite': 'spawner',
      'faas.test.run': TEST_RUN,
    },
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  return container;
}

const exists = (container: Docker.Container): Promise<boolean> =>
  container.inspect().then(
    () => true,
    (err: { statusCode?: number }) => (err.statusCode === 404 ? false : Promise.reject(err)),
  );

describe('spawner: containers no live spawner owns', () => {
  let sut: SpawnerUnderTest;
  const made: Docker.Container[] = [];
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGES.echo]: FUNCTION_SCRIPTS.echo, [IMAGES.sleep]: FUNCTION_SCRIPTS.sleep });
  });
  after(async () => {
    await Promise.all(made.map((c) => c.remove({ force: true }).catch(() => undefined)));
    if (sut) await sut.close();
  });

  it('removes a long-stopped container of a dead spawner and leaves a young running one alone', async function () {
    this.timeout(30_000);
    const stopped = await leftover(IMAGES.echo, 'done');
    const running = await leftover(IMAGES.sleep, '60');
    made.push(stopped, running);
    await stopped.wait();
    sut = await startTestSpawner({ ORPHAN_GRACE_MS: '1000', ORPHAN_SWEEP_MS: '1000' });
    await eventually(async () => ((await exists(stopped)) ? undefined : true), 15_000, 200);
    expect(await exists(running), 'a running container younger than the timeout ceiling stays').to.equal(true);
  });
});
