import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BUCKETS, FINAL_STATUSES, connectNats, createLogger, createExecutionStore, openBucket, type ExecutionRecord } from '@faas/common';
import { eventually, request, testNatsUrls, uniqueName } from '@faas/testing';
import { loadSpawnerConfig, startSpawner } from '@faas/spawner-service';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { IMAGES, buildImages, newFunction, newUser, startTestPlatform } from './helpers.js';

const LOAD = 4;

describe('standalone platform: durable callbacks (issue 17)', function () {
  this.timeout(120_000);
  let receiver: Server;
  let nc: NatsConnection;
  /** Execution id -> the POSTs that reached the receiver (the first one of each is refused with 503). */
  const hits = new Map<string, number>();
  const accepted = new Map<string, ExecutionRecord>();

  before(async () => {
    await buildImages();
    nc = await connectNats({ servers: testNatsUrls(), name: 'durable-callbacks-test', logger: createLogger('test', 'silent') });
    receiver = createServer((req, res) => {
      const id = String(req.headers['x-faas-execution-id']);
      hits.set(id, (hits.get(id) ?? 0) + 1);
      if (hits.get(id) === 1) return void res.writeHead(503).end();
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString()));
      req.on('end', () => {
        accepted.set(id, JSON.parse(data) as ExecutionRecord);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    receiver.close();
    await nc.drain();
  });

  it('delivers, exactly once each, the callbacks of results that arrived while no publisher ran', async () => {
    const env = { CALLBACK_ALLOW_PRIVATE: 'true', CALLBACK_BACKOFF_MS: '50', STANDALONE_SPAWNER: 'false' };
    // 1. Submitted through a publisher, with no spawner: the executions wait in the stream.
    const first = await startTestPlatform(env);
    const user = await newUser(first.baseUrl);
    const name = await newFunction(first.baseUrl, user, IMAGES.echo);
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const ids: string[] = [];
    for (let i = 0; i < LOAD; i++) {
      const res = await request<{ executionId: string }>(`${first.baseUrl}/publisher/executions`, {
        token: user.token,
        body: { name, argument: `durable-${i}`, callbackUrl: hook },
      });
      expect(res.status).to.equal(202);
      ids.push(res.body.executionId);
    }
    await first.stop();

    // 2. Every publisher is down; a spawner alone runs them and stores their results.
    const store = createExecutionStore(await openBucket(nc, BUCKETS.executions, { replicas: 3, leaderReads: true }));
    const spawner = await startSpawner({
      nc,
      config: loadSpawnerConfig({ NATS_URL: testNatsUrls().join(','), NATS_REPLICAS: '3', SPAWNER_ID: uniqueName('durable-cb') }),
      logger: createLogger('spawner', 'silent'),
    });
    try {
      await eventually(async () => {
        const records = await Promise.all(ids.map((id) => store.get(id)));
        return records.every((r) => r && FINAL_STATUSES.has(r.record.status)) ? true : undefined;
      }, 60_000, 200);
    } finally {
      await spawner.stop();
    }
    expect(hits.size, 'no callback without a publisher').to.equal(0);

    // 3. A publisher starts: it finds the queued callbacks and delivers each (the first try of each refused).
    const second = await startTestPlatform(env);
    try {
      const records = await eventually(async () => {
        const all = await Promise.all(ids.map((id) => store.get(id)));
        return all.every((r) => r?.record.callback?.status === 'delivered') ? all.map((r) => r!.record) : undefined;
      }, 60_000, 200);
      for (const [i, record] of records.entries()) {
        expect(record.callback).to.deep.equal({ status: 'delivered', attempts: 2 });
        expect(hits.get(record.id), `POSTs for ${record.id}`).to.equal(2);
        expect(accepted.get(record.id)).to.include({ id: record.id, status: 'succeeded', result: `durable-${i}` });
      }
      // Readable through the API, with the callback's state.
      const read = await request<ExecutionRecord>(`${second.baseUrl}/publisher/executions/${ids[0]}`, { token: user.token });
      expect(read.body.callback).to.deep.equal({ status: 'delivered', attempts: 2 });
    } finally {
      await second.stop();
    }
  });
});
