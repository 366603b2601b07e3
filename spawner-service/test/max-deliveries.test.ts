import { createLogger, type ExecutionRecord } from '@faas/common';
import { expect } from 'chai';
import type { Subscription } from 'nats';
import { abandonExecution } from '../src/domain/abandon-execution.js';
import { natsResultPublisher } from '../src/infra/execution-handler.js';
import { MAX_DELIVERIES_SUBJECT, watchMaxDeliveries } from '../src/infra/max-deliveries.js';
import { connectTestClient, executionRequest, publishExecution, waitForFinal, type TestClient } from './helpers.js';

describe('spawner: an execution JetStream gave up on', () => {
  let client: TestClient;
  let watcher: Subscription;
  before(async () => {
    client = await connectTestClient();
    const logger = createLogger('spawner-test', 'silent');
    const results = natsResultPublisher(client.nc);
    watcher = watchMaxDeliveries({
      nc: client.nc,
      jsm: await client.nc.jetstreamManager(),
      logger,
      onAbandoned: (request, deliveries) => abandonExecution({ store: client.store, results, logger }, request, deliveries),
    });
  });
  after(async () => {
    watcher.unsubscribe();
    await client.close();
  });

  it('ends the record as error with the reason on the max-deliveries advisory and removes the message', async () => {
    // No spawner runs in this suite: the message stays in the stream, as it does after its last delivery.
    const request = executionRequest('faas-test-sp-echo:latest', 'x');
    const { seq } = await publishExecution(client.nc, request);
    const running: ExecutionRecord = {
      id: request.id, user: request.userId, function: request.function, image: request.image, status: 'running',
      result: null, logs: null, exitCode: null, truncated: false, durationMs: null, queuedAt: request.queuedAt,
      startedAt: request.queuedAt, finishedAt: null, attempt: 3, spawner: 'crashed-spawner',
    };
    await client.store.create(running);
    // The advisory as JetStream sends it when the last ack wait of the last delivery expires.
    client.nc.publish(
      MAX_DELIVERIES_SUBJECT,
      JSON.stringify({ type: 'io.nats.jetstream.advisory.v1.max_deliver', stream: 'EXECUTIONS', consumer: 'spawner', stream_seq: seq, deliveries: 3 }),
    );
    const record = await waitForFinal(client.store, request.id);
    expect(record).to.include({ status: 'error', attempt: 3, spawner: 'crashed-spawner' });
    expect(record.error).to.match(/3 deliveries/);
    const jsm = await client.nc.jetstreamManager();
    const removed = await jsm.streams.getMessage('EXECUTIONS', { seq }).then(() => false, () => true);
    expect(removed, 'the message left the stream').to.equal(true);
  });
});
