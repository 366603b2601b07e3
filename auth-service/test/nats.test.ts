import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUCKETS } from '@faas/common';
import { NatsServerProcess, eventually, freePort, request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { startAuth } from './helpers.js';

describe('auth: NATS', () => {
  it('keeps the users bucket in 3 replicas across the 3-node cluster', async () => {
    const auth = await startAuth();
    try {
      const jsm = await auth.nc.jetstreamManager();
      const info = await jsm.streams.info(`KV_${BUCKETS.users}`);
      expect(info.config.num_replicas).to.equal(3);
      expect(info.cluster?.replicas ?? []).to.have.length(2);
      expect(info.cluster?.leader).to.be.a('string');
    } finally {
      await auth.close();
    }
  });

  it('stays alive without NATS, reports not ready, and recovers without a restart', async function () {
    this.timeout(60_000);
    const store = mkdtempSync(join(tmpdir(), 'faas-nats-solo-'));
    const nats = new NatsServerProcess({ port: await freePort(), storeDir: store, serverName: 'solo' });
    await nats.start();
    const auth = await startAuth({ NATS_URL: nats.url, NATS_REPLICAS: '1' });
    try {
      expect((await request(`${auth.url}/ready`)).status).to.equal(200);

      await nats.stop();
      expect((await request(`${auth.url}/health`)).status).to.equal(200);
      const notReady = await request(`${auth.url}/ready`);
      expect(notReady.status).to.equal(503);
      expect(notReady.body).to.include({ status: 'not ready' });

      await nats.start();
      await eventually(async () => ((await request(`${auth.url}/ready`)).status === 200 ? true : undefined), 20_000, 200);
      const username = uniqueName('after');
      const reg = await request(`${auth.url}/register`, { body: { username, password: 'correct-horse' } });
      expect(reg.status).to.equal(201);
    } finally {
      await auth.close();
      await nats.stop();
      rmSync(store, { recursive: true, force: true });
    }
  });
});
