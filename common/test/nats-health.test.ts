import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsServerProcess, freePort, natsHealthcheck as check, startNatsCluster, type NatsCluster } from '@faas/testing';
import { expect } from 'chai';

/**
 * The stuck case itself (a leader known, the meta log not applying for 60 s) cannot be made at
 * will: the proof's node-loss scenario runs this script and reports each replacement it causes.
 * These are the cases that must never replace a server.
 */
describe('nats-health.sh, the NATS services\' healthcheck', function () {
  this.timeout(60_000);
  let dir: string;
  let cluster: NatsCluster | undefined;
  let lone: NatsServerProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'faas-nats-health-'));
  });
  afterEach(async () => {
    await cluster?.stop();
    await lone?.stop();
    cluster = lone = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes on every member of a whole cluster, and forgets a "behind since" it had noted', async () => {
    cluster = await startNatsCluster(3);
    for (const server of cluster.servers) {
      const state = join(dir, server.options.serverName);
      writeFileSync(state, String(Math.floor(Date.now() / 1000) - 3_600));
      const { code, said } = await check(server.options.monitorPort!, state);
      expect(code, `${server.options.serverName}: ${said}`).to.equal(0);
      expect(existsSync(state), 'the noted time is dropped once current').to.equal(false);
    }
  });

  it('passes on a clustered server that knows no meta leader yet (a first start), however long that lasts', async () => {
    const [port, clusterPort, monitorPort, peerA, peerB] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    lone = new NatsServerProcess({
      port,
      monitorPort,
      storeDir: join(dir, 'lone'),
      serverName: 'lone',
      cluster: { name: 'health-lone', port: clusterPort, routes: [peerA, peerB] },
    });
    await lone.start();
    const health = await fetch(`http://127.0.0.1:${monitorPort}/healthz?js-server-only=true`);
    expect(await health.text(), 'the server itself says it has no leader').to.include('has not established contact with a meta leader');
    const state = join(dir, 'lone-state');
    writeFileSync(state, String(Math.floor(Date.now() / 1000) - 3_600));
    const { code, said } = await check(monitorPort, state);
    expect(code, said).to.equal(0);
    expect(existsSync(state)).to.equal(false);
  });

  it('fails when the server does not answer', async () => {
    const { code } = await check(await freePort(), join(dir, 'none'));
    expect(code).to.equal(1);
  });
});
