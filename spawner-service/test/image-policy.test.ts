import { BUCKETS } from '@faas/common';
import { buildFunctionImage, silentRegistry, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { KV } from 'nats';
import { IMAGES, buildImages, definitionKey, docker, execute, executionRequest, startTestSpawner, type SpawnerUnderTest } from './helpers.js';
import { servingRegistry, type ServingRegistry } from './serving-registry.js';

const present = (image: string): Promise<boolean> => docker.getImage(image).inspect().then(() => true, () => false);

describe('spawner: image policy (the GC of pulled images, the pull size cap, LOCAL_IMAGES)', () => {
  let registry: ServingRegistry;
  let sut: SpawnerUnderTest;
  let functions: KV;
  const images: string[] = [];
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGES.echo]: 'printf "%s" "$1"\n' });
    registry = await servingRegistry(IMAGES.echo);
    sut = await startTestSpawner({ ALLOW_PRIVATE_REGISTRIES: 'true', WARM_DEFAULT: 'false', IMAGE_GC_INTERVAL_SECONDS: '3600' });
    functions = await sut.nc.jetstream().views.kv(BUCKETS.functions);
  });
  after(async () => {
    await sut?.close();
    await registry?.close();
    await Promise.all(images.map((image) => docker.getImage(image).remove().catch(() => undefined)));
  });

  it('removes the pulled image no function references and keeps the referenced one and local builds', async function () {
    this.timeout(60_000);
    const [kept, dropped] = ['kept', 'dropped'].map((what) => `${registry.host}/${uniqueName(`gc-${what}`)}:1`) as [string, string];
    images.push(kept, dropped);
    const key = `${uniqueName('gc-user')}.kept`;
    await functions.put(key, JSON.stringify({ name: 'kept', image: kept, revision: 1 }));
    try {
      for (const image of [kept, dropped, IMAGES.echo]) {
        const request = executionRequest(image, 'hi');
        const record = await execute(sut, request, 40_000);
        expect(record, image).to.include({ status: 'succeeded', result: 'hi' });
        // Only the definition under `key` references an image from now on.
        await functions.delete(definitionKey(request));
      }
      const removed = await sut.spawner.imageGc.sweep();
      expect(removed).to.deep.equal([dropped]);
      expect(await present(dropped)).to.equal(false);
      expect(await present(kept)).to.equal(true);
      expect(await present(IMAGES.echo), 'a local build the spawner did not pull').to.equal(true);
    } finally {
      await functions.delete(key);
    }
  });

  it('abandons a pull larger than PULL_MAX_MB', async function () {
    this.timeout(60_000);
    // 3 MB of random bytes: a layer that does not compress below the 1 MiB cap.
    const padded = await buildFunctionImage('faas-test-sp-padded:latest', 'printf "%s" "$1"\n', ['RUN head -c 3000000 /dev/urandom > /pad']);
    const big = await servingRegistry(padded);
    await docker.getImage(padded).remove(); // served from memory now: the engine must download the layer
    const small = await startTestSpawner({ ALLOW_PRIVATE_REGISTRIES: 'true', WARM_DEFAULT: 'false', PULL_MAX_MB: '1' });
    await sut.close(); // one consumer at a time: the capped spawner takes the execution
    try {
      const image = `${big.host}/${uniqueName('big')}:1`;
      images.push(image);
      const record = await execute(small, executionRequest(image, 'hi'), 40_000);
      expect(record).to.include({ status: 'error', error: `cannot pull image ${image}: the image is larger than 1 MiB` });
      expect(await present(image)).to.equal(false);
    } finally {
      await small.close();
      await big.close();
      sut = await startTestSpawner({ WARM_DEFAULT: 'false' });
    }
  });

  it('with LOCAL_IMAGES=false runs only what a registry gives: not an image found only on the engine', async function () {
    this.timeout(90_000);
    const closed = await silentRegistry();
    await closed.close();
    const localOnly = `${closed.host}/${uniqueName('someone-else')}:1`; // no registry serves it
    await docker.getImage(IMAGES.echo).tag({ repo: localOnly.slice(0, localOnly.lastIndexOf(':')), tag: '1' });
    images.push(localOnly);
    const served = `${registry.host}/${uniqueName('served')}:1`;
    images.push(served);
    await sut.close();
    const strict = await startTestSpawner({ LOCAL_IMAGES: 'false', ALLOW_PRIVATE_REGISTRIES: 'true', WARM_DEFAULT: 'false' });
    try {
      const refused = await execute(strict, executionRequest(localOnly, 'hi'), 40_000);
      expect(refused).to.include({ status: 'error', error: `cannot pull image ${localOnly}: it does not exist, is not public, or its registry did not answer` });
      expect(await execute(strict, executionRequest(served, 'hi'), 40_000)).to.include({ status: 'succeeded', result: 'hi' });
    } finally {
      await strict.close();
      sut = await startTestSpawner({ WARM_DEFAULT: 'false' });
    }
    // The default (LOCAL_IMAGES=true) runs what the engine has, as docker run does.
    expect(await execute(sut, executionRequest(localOnly, 'hi'), 40_000)).to.include({ status: 'succeeded', result: 'hi' });
  });
});
