import { CONSUMERS, STREAMS } from '@faas/common';
import { eventually, silentRegistry, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { stallingEngine } from './engine-faults.js';
import { IMAGES, buildImages, containersOf, eventuallyGone, executionRequest, publishExecution, startTestSpawner, waitForFinal } from './helpers.js';

const SHORT = { timeoutSeconds: 1, memoryMb: 64, cpus: 0.5, network: 'none' as const };

/** No message of the executions consumer is still in hand (acked, not kept in progress). */
async function noneInProgress(sut: { nc: import('nats').NatsConnection }): Promise<void> {
  const jsm = await sut.nc.jetstreamManager();
  await eventually(async () => ((await jsm.consumers.info(STREAMS.executions, CONSUMERS.spawner)).num_ack_pending === 0 ? true : undefined), 10_000, 100);
}

describe('spawner: every delivery has one overall deadline', () => {
  before(async function () {
    this.timeout(60_000);
    await buildImages({ [IMAGES.echo]: 'printf "%s" "$1"\n' });
  });

  for (const mode of ['warm', 'cold'] as const) {
    it(`ends a run whose container start hangs as error naming the phase, and lets the message go (${mode})`, async function () {
      this.timeout(60_000);
      const engine = await stallingEngine(/^POST \/[^ ]*containers\/[^/ ]+\/start/);
      // Deadline: the 1 s timeout + 1 s pull cap + 1 s margin + 100 ms answer grace.
      const env = { PULL_TIMEOUT_SECONDS: '1', DELIVERY_MARGIN_SECONDS: '1', WARM_ANSWER_GRACE_MS: '100', WARM_DEFAULT: String(mode === 'warm') };
      const sut = await startTestSpawner(env, engine.docker);
      try {
        const request = executionRequest(IMAGES.echo, 'x', { limits: SHORT });
        await publishExecution(sut.nc, request);
        const record = await waitForFinal(sut.store, request.id, 30_000);
        expect(engine.held()).to.be.at.least(1);
        expect(record.status).to.equal('error');
        expect(record.error).to.equal('execution overran its overall deadline of 3.1 s in phase "start"');
        await noneInProgress(sut);
        engine.release(); // the held start returns now: the late run must not start, and removes its container
        await eventuallyGone(`faas.spawner=${sut.config.spawnerId}`, 20_000);
      } finally {
        await sut.close();
        await engine.close();
      }
    });
  }

  it('abandons a pull from a registry that never answers after PULL_TIMEOUT_SECONDS', async function () {
    this.timeout(60_000);
    const registry = await silentRegistry();
    const sut = await startTestSpawner({ PULL_TIMEOUT_SECONDS: '2', ALLOW_PRIVATE_REGISTRIES: 'true', WARM_DEFAULT: 'false' });
    try {
      const image = `${registry.host}/${uniqueName('slow')}:1`;
      const request = executionRequest(image, 'x', { limits: SHORT });
      await publishExecution(sut.nc, request);
      const record = await waitForFinal(sut.store, request.id, 30_000);
      expect(registry.requests()).to.be.at.least(1);
      expect(record.status).to.equal('error');
      expect(record.error).to.equal(`cannot pull image ${image}: the pull took longer than 2 s`);
      await noneInProgress(sut);
    } finally {
      await registry.close();
      await sut.close();
    }
    expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
  });
});
