import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { FUNCTION_SCRIPTS, eventually, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type Docker from 'dockerode';
import { IMAGES, TEST_RUN, TEST_RUN_LABEL, buildImages, docker } from './helpers.js';

const MAIN = fileURLToPath(new URL('../src/node-sweeper-main.js', import.meta.url));
const testLabels = { 'faas.test': '1', 'faas.test.suite': 'spawner', 'faas.test.run': TEST_RUN, 'faas.test.node-sweeper': '1' };

/** A stand-in for a spawner's own container on this engine: the spawner image's label, the id as hostname. */
async function spawnerContainer(id: string, alive: boolean): Promise<Docker.Container> {
  const container = await docker.createContainer({
    Image: alive ? IMAGES.sleep : IMAGES.echo,
    Cmd: [alive ? '120' : 'gone'],
    Hostname: id,
    Labels: { ...testLabels, 'faas.workspace': 'spawner-service' },
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  if (!alive) await container.wait();
  return container;
}

/** A function container as spawner `owner` leaves it: young, stopped or still running. */
async function functionContainer(owner: string, running: boolean): Promise<Docker.Container> {
  const container = await docker.createContainer({
    Image: running ? IMAGES.sleep : IMAGES.echo,
    Cmd: [running ? '120' : 'done'],
    Labels: { ...testLabels, 'faas.managed': 'true', 'faas.spawner': owner, 'faas.execution': uniqueName('ex') },
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  if (!running) await container.wait();
  return container;
}

const exists = (container: Docker.Container): Promise<boolean> =>
  container.inspect().then(
    () => true,
    (err: { statusCode?: number }) => (err.statusCode === 404 ? false : Promise.reject(err)),
  );

const gone = (containers: readonly Docker.Container[], timeoutMs: number): Promise<true> =>
  eventually(async () => ((await Promise.all(containers.map(exists))).some(Boolean) ? undefined : true), timeoutMs, 200);

describe('node sweeper (the spawner image, sweep only)', () => {
  let sweeper: ChildProcess | undefined;
  let output = '';
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGES.echo]: FUNCTION_SCRIPTS.echo, [IMAGES.sleep]: FUNCTION_SCRIPTS.sleep });
  });
  after(async function () {
    this.timeout(60_000);
    if (sweeper && sweeper.exitCode === null) {
      sweeper.kill('SIGTERM');
      await once(sweeper, 'exit');
    }
    const made = await docker.listContainers({ all: true, filters: { label: [TEST_RUN_LABEL, 'faas.test.node-sweeper=1'] } });
    await Promise.all(made.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  });

  it("removes a dead spawner's containers at once and keeps a live or unknown spawner's young ones", async function () {
    this.timeout(90_000);
    const [dead, live, unknown] = [uniqueName('faas-test-dead'), uniqueName('faas-test-live'), uniqueName('faas-test-elsewhere')];
    await spawnerContainer(dead, false);
    const liveSpawner = await spawnerContainer(live, true);
    const deads = await Promise.all([functionContainer(dead, false), functionContainer(dead, true)]);
    const lives = await Promise.all([functionContainer(live, false), functionContainer(live, true)]);
    // No spawner container here names it (a spawner process on the host, say): the grace policy alone.
    const unknowns = [await functionContainer(unknown, false)];

    sweeper = spawn(process.execPath, [MAIN], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ORPHAN_GRACE_MS: '60000', ORPHAN_SWEEP_MS: '1000', SWEEP_LABELS: `faas.test.run=${TEST_RUN}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sweeper.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    sweeper.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await gone(deads, 30_000).catch((err: unknown) => Promise.reject(new Error(`${String(err)}\nsweeper output:\n${output}`)));
    // The sweep that removed the dead spawner's listed these too (one listing per sweep).
    expect(await Promise.all([...lives, ...unknowns].map(exists)), "a live or unknown spawner's containers, stopped less than the grace ago").to.deep.equal([true, true, true]);

    // Its spawner's own container stops: the spawner is dead, its containers go at the next sweep.
    await liveSpawner.kill();
    await gone(lives, 30_000);
    expect(await exists(unknowns[0] as Docker.Container), 'the unknown spawner waits out the grace').to.equal(true);
    expect(output).to.match(/removed containers no live spawner owns/);
  });
});
