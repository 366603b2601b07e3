import { silentRegistry, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { executionRequest, publishExecution, startTestSpawner, waitForFinal } from './helpers.js';

describe('spawner: image references are no probe of the host network', () => {
  it('refuses to pull from a loopback registry without contacting it, with a generic message', async function () {
    this.timeout(60_000);
    const registry = await silentRegistry();
    const sut = await startTestSpawner({ WARM_DEFAULT: 'false' });
    try {
      const refused = [`${registry.host}/${uniqueName('probe')}:1`, `localhost:${registry.host.split(':')[1] ?? ''}/${uniqueName('probe')}:1`];
      for (const image of refused) {
        const request = executionRequest(image, 'x');
        await publishExecution(sut.nc, request);
        const record = await waitForFinal(sut.store, request.id, 30_000);
        expect(record).to.include({ status: 'error', error: `cannot pull image ${image}: its registry host is not allowed` });
      }
      expect(registry.requests(), 'requests the registry received').to.equal(0);
    } finally {
      await sut.close();
      await registry.close();
    }
  });

  it("tells the user a pull failed, never the daemon's reason (which would map the network)", async function () {
    this.timeout(60_000);
    // A closed port on loopback: the daemon's text would say "connection refused".
    const registry = await silentRegistry();
    const closedHost = registry.host;
    await registry.close();
    const sut = await startTestSpawner({ WARM_DEFAULT: 'false', ALLOW_PRIVATE_REGISTRIES: 'true', PULL_TIMEOUT_SECONDS: '20' });
    try {
      const image = `${closedHost}/${uniqueName('probe')}:1`;
      const request = executionRequest(image, 'x');
      await publishExecution(sut.nc, request);
      const record = await waitForFinal(sut.store, request.id, 40_000);
      expect(record).to.include({ status: 'error', error: `cannot pull image ${image}: it does not exist, is not public, or its registry did not answer` });
    } finally {
      await sut.close();
    }
  });
});
