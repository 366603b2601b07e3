import { BUCKETS, openBucket, type AccountControl } from '@faas/common';
import { FUNCTION_SCRIPTS, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import {
  IMAGES,
  buildImages,
  connectTestClient,
  containersOf,
  executionRequest,
  publishExecution,
  registerFunction,
  startTestSpawner,
  waitForFinal,
  type SpawnerUnderTest,
  type TestClient,
} from './helpers.js';

/** Issue 21, item 3: work queued before its user was disabled or deleted must not run. */
describe('spawner: queued work of a disabled or deleted user is refused', function () {
  this.timeout(120_000);
  let client: TestClient;
  let sut: SpawnerUnderTest | undefined;
  before(async () => {
    await buildImages({ [IMAGES.echo]: FUNCTION_SCRIPTS.echo });
    client = await connectTestClient();
  });
  after(async () => {
    await sut?.close();
    await client?.close();
  });

  it('ends the disabled and the deleted user\'s queued executions as error, with no container, and runs the others', async () => {
    const accounts = await openBucket(client.nc, BUCKETS.accounts, { replicas: 3 });
    const requests = {
      disabled: executionRequest(IMAGES.echo, 'must not run', { userId: uniqueName('disabled-user') }),
      deleted: executionRequest(IMAGES.echo, 'must not run', { userId: uniqueName('deleted-user') }),
      enabled: executionRequest(IMAGES.echo, 'runs', { userId: uniqueName('enabled-user') }),
    };
    const controls: Record<keyof typeof requests, AccountControl> = {
      disabled: { disabled: true, minTokenGeneration: 1 },
      deleted: { deleted: true, disabled: true },
      enabled: { disabled: false },
    };
    for (const [kind, request] of Object.entries(requests) as [keyof typeof requests, (typeof requests)[keyof typeof requests]][]) {
      await registerFunction(client.nc, request);
      await accounts.put(request.userId, JSON.stringify(controls[kind]));
      // Queued while no spawner runs: the spawner meets them only after the account changed.
      await publishExecution(client.nc, request);
    }
    sut = await startTestSpawner();
    const disabled = await waitForFinal(client.store, requests.disabled.id, 40_000);
    expect(disabled).to.include({ status: 'error', error: 'the user is disabled: their queued work is not run', result: null });
    const deleted = await waitForFinal(client.store, requests.deleted.id, 40_000);
    expect(deleted).to.include({ status: 'error', error: 'the user no longer exists: their queued work is not run' });
    const enabled = await waitForFinal(client.store, requests.enabled.id, 40_000);
    expect(enabled).to.include({ status: 'succeeded', result: 'runs' });
    for (const request of [requests.disabled, requests.deleted]) {
      expect(await containersOf(`faas.execution=${request.id}`), 'no container of a refused execution').to.have.length(0);
    }
  });
});
