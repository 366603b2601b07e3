import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsServerProcess, eventually, freePort, natsHealthcheck as check, startNatsCluster, type NatsCluster } from '@faas/testing';
import { expect } from 'chai';

/**
 * The stuck follower (a leader known, the meta log not applying for 60 s) cannot be made at will:
 * the proof's node-loss scenario runs this script and reports each replacement it causes. The
 * leaderless deadlock can (a route permission loses one server's raft traffic), and the cases
 * that must never replace a server are here.
 */
describe('nats-health.sh, the NATS services\' healthcheck', function () {
  this.timeout(60_000);
  let dir: string;
  let cluster: NatsCluster | undefined;
  let lone: NatsServerProcess | undefined;
  let trio: NatsServerProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'faas-nats-health-'));
  });
  afterEach(async () => {
    await cluster?.stop();
    await lone?.stop();
    await Promise.all(trio.map((s) => s.stop()));
    cluster = lone = undefined;
    trio = [];
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

  it('fails on both live servers of a meta group that elects no leader although their routes are up (run 4 of the multi-node e2e)', async function () {
    this.timeout(120_000);
    const ports = await Promise.all(Array.from({ length: 9 }, () => freePort()));
    const routes = ports.slice(3, 6);
    // n3 hears no raft traffic from the others (what a lost route interest does); they hear it.
    const deaf = join(dir, 'deaf.conf');
    writeFileSync(deaf, 'cluster { permissions { import { deny: ["$NRG.>"] } } }\n');
    trio = [0, 1, 2].map(
      (i) =>
        new NatsServerProcess({
          port: ports[i]!,
          monitorPort: ports[6 + i]!,
          storeDir: join(dir, `n${i + 1}`),
          serverName: `n${i + 1}`,
          cluster: { name: 'health-deaf', port: routes[i]!, routes: routes.filter((_, j) => j !== i) },
          ...(i === 2 ? { configFile: deaf } : {}),
        }),
    );
    await Promise.all(trio.map((s) => s.start()));
    const leaderOf = async (i: number): Promise<string> => ((await (await fetch(`http://127.0.0.1:${ports[6 + i]!}/jsz`)).json()) as { meta_cluster?: { leader?: string } }).meta_cluster?.leader ?? '';
    const leader = await eventually(async () => (await leaderOf(0)) || undefined, 30_000, 250);
    const whole = await check(ports[6]!, join(dir, 'whole'));
    expect(whole.code, `with a leader: ${whole.said}`).to.equal(0);

    // The leader's node is lost: the two left have a route and a quorum, and can never elect.
    const gone = leader === 'n1' ? 0 : 1;
    await trio[gone]!.stop('SIGKILL');
    const left = [1 - gone, 2];
    for (const i of left) {
      await eventually(async () => ((await leaderOf(i)) === '' ? true : undefined), 30_000, 250);
      const health = await fetch(`http://127.0.0.1:${ports[6 + i]!}/healthz?js-server-only=true`);
      expect(await health.text()).to.include('has not established contact with a meta leader');
      const state = join(dir, `left-${i}`);
      const first = await check(ports[6 + i]!, state);
      expect(first.code, `n${i + 1} at once: ${first.said}`).to.equal(0);
      expect(first.said).to.match(/no meta leader while routes join 2 of the meta group's [23] servers for 0 s; healthy until 60 s/);
      writeFileSync(state, String(Math.floor(Date.now() / 1000) - 61));
      const later = await check(ports[6 + i]!, state);
      expect(later.code, `n${i + 1} after the grace: ${later.said}`).to.equal(1);
      expect(later.said).to.match(/no meta leader while routes join 2 of the meta group's [23] servers for 6\d s \(grace 60 s\)/);
    }
  });

  it('fails when the server does not answer', async () => {
    const { code } = await check(await freePort(), join(dir, 'none'));
    expect(code).to.equal(1);
  });
});
