import { FUNCTION_SCRIPTS, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import {
  IMAGES,
  buildImages,
  containersOf,
  executionRequest,
  publishMessage,
  registerFunction,
  startTestSpawner,
  waitForFinal,
  type SpawnerUnderTest,
} from './helpers.js';

/** Item 11 of issue 16: what runs comes from the `functions` bucket, never from the message. */
describe('spawner: the definition decides what runs, not the message', () => {
  let sut: SpawnerUnderTest;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGES.echo]: FUNCTION_SCRIPTS.echo, [IMAGES.upper]: FUNCTION_SCRIPTS.upper });
    sut = await startTestSpawner();
  });
  after(async () => {
    await sut?.close();
  });

  it('runs the registered image, env and limits when a forged message names another image', async function () {
    this.timeout(60_000);
    const userId = uniqueName('forge-user');
    const registered = executionRequest(IMAGES.echo, 'x', { userId, function: 'victim', env: { FROM: 'definition' } });
    await registerFunction(sut.nc, registered);
    const forged = executionRequest(IMAGES.upper, 'quiet please', {
      userId, function: 'victim', env: { FROM: 'message' }, limits: { timeoutSeconds: 600, memoryMb: 4096, cpus: 4, network: 'bridge' },
    });
    await publishMessage(sut.nc, forged);
    const record = await waitForFinal(sut.store, forged.id, 40_000);
    // The upper-case image would have answered QUIET PLEASE.
    expect(record).to.include({ status: 'succeeded', result: 'quiet please', image: IMAGES.echo });
  });

  it('runs nothing for a message naming a function that does not exist, and says so in the record', async function () {
    this.timeout(60_000);
    const forged = executionRequest(IMAGES.upper, 'x', { userId: uniqueName('forge-user'), function: uniqueName('nofn') });
    await publishMessage(sut.nc, forged);
    const record = await waitForFinal(sut.store, forged.id, 40_000);
    expect(record.status).to.equal('error');
    expect(record.error).to.equal(`function ${forged.function} no longer exists`);
    expect(record.result).to.equal(null);
    expect(await containersOf(`faas.execution=${forged.id}`)).to.have.length(0);
  });

  it('runs the definition as it is now when it changed after the message was queued', async function () {
    this.timeout(60_000);
    const userId = uniqueName('forge-user');
    const queued = executionRequest(IMAGES.echo, 'was queued', { userId, function: 'changing', revision: 1 });
    await registerFunction(sut.nc, { ...queued, image: IMAGES.upper, revision: 2 });
    await publishMessage(sut.nc, queued);
    const record = await waitForFinal(sut.store, queued.id, 40_000);
    expect(record).to.include({ status: 'succeeded', result: 'WAS QUEUED', image: IMAGES.upper });
  });
});
