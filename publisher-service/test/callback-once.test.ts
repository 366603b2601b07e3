import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BUCKETS, connectNats, createExecutionStore, createLogger, openBucket, type ExecutionRecord, type ExecutionStore } from '@faas/common';
import { testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { deliverQueuedCallback, type CallbackDeliveryDeps } from '../src/callbacks/callback-delivery.js';
import { newExecutionId } from '../src/executions/ids.js';
import { handleResult } from '../src/executions/results.js';

/**
 * A spawner that gets a finished execution again (redelivery after a lost ack) re-publishes its
 * result; the CALLBACKS message may be delivered again too. The receiver still hears once.
 */
describe('publisher: a redelivered finished execution', () => {
  let nc: NatsConnection;
  let store: ExecutionStore;
  let receiver: Server;
  const hits: string[] = [];
  let url = '';

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'callback-once-test', logger: createLogger('callback-once-test', 'silent') });
    // As start-callbacks.ts reads it: a lagging replica showed the second delivery no `delivered`, and it POSTed again.
    store = createExecutionStore(await openBucket(nc, BUCKETS.executions, { replicas: 3, leaderReads: true }));
    // Counted by execution id: another process's stale callback may reach a reused port.
    receiver = createServer((req, res) => {
      hits.push(String(req.headers['x-faas-execution-id']));
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    receiver.close();
    await nc.close();
  });

  it('does not send its callback a second time (result re-published, callback message delivered again)', async () => {
    const user = uniqueName('once');
    const id = newExecutionId();
    const final: ExecutionRecord = {
      id, user, function: 'f', image: 'i', status: 'succeeded', result: 'ok', logs: null, exitCode: 0, truncated: false, durationMs: 1,
      queuedAt: new Date().toISOString(), startedAt: null, finishedAt: new Date().toISOString(), attempt: 1, spawner: 's',
    };
    await store.create(final);
    const deps: CallbackDeliveryDeps = {
      store, logger: createLogger('callback-once-test', 'silent'),
      options: { allowPrivate: true, maxAttempts: 3, timeoutMs: 2_000, backoffMs: 10 },
    };
    const released: string[] = [];
    const quota = { acquire: async () => undefined, release: async (_u: string, e: string) => void released.push(e) };
    expect(await deliverQueuedCallback(deps, { id, user, url }, 1)).to.deep.equal({ kind: 'done' });
    // The redelivery: the spawner publishes the same final record again, the queue hands the callback over again.
    await handleResult({ quota }, final);
    expect(await deliverQueuedCallback(deps, { id, user, url }, 2)).to.deep.equal({ kind: 'done' });
    expect(hits.filter((h) => h === id)).to.have.length(1);
    expect(released).to.deep.equal([id]);
    expect((await store.get(id))?.record.callback).to.deep.equal({ status: 'delivered', attempts: 1 });
  });
});
