import { CONSUMERS, STREAMS } from '@faas/common';
import { expect } from 'chai';
import Docker from 'dockerode';
import { connectTestClient, executionRequest, publishExecution, startTestSpawner, waitForFinal, type TestClient } from './helpers.js';

describe('spawner: Docker engine unavailable', () => {
  let client: TestClient;
  before(async () => {
    client = await connectTestClient();
  });
  after(() => client?.close());

  it('hands the execution back with a delay, then records error with the reason after the last delivery', async function () {
    this.timeout(60_000);
    const unreachable = new Docker({ socketPath: '/nonexistent/docker.sock' });
    const sut = await startTestSpawner({ NAK_DELAY_MS: '200' }, unreachable);
    try {
      await expectNotReady(sut.spawner.ready());
      const info = await (await client.nc.jetstreamManager()).consumers.info(STREAMS.executions, CONSUMERS.spawner);
      const request = executionRequest('faas-test-sp-echo:latest', 'x');
      await publishExecution(client.nc, request);
      const record = await waitForFinal(client.store, request.id, 30_000);
      expect(record.status).to.equal('error');
      expect(record.error).to.match(/docker engine unavailable/).and.match(/gave up after attempt/);
      expect(record.attempt).to.equal(info.config.max_deliver);
      const retries = await sut.registry.getSingleMetric('faas_spawner_messages_rejected_total')?.get();
      expect(retries?.values.find((v) => v.labels.reason === 'retry')?.value).to.be.at.least(1);
    } finally {
      await sut.close();
    }
  });
});

async function expectNotReady(ready: Promise<void>): Promise<void> {
  const failed = await ready.then(() => false, () => true);
  expect(failed, 'ready() fails while the engine is unreachable').to.equal(true);
}
