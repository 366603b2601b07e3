import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CONSUMERS, STREAMS } from '@faas/common';
import { nanos } from 'nats';
import { eventually, freePort, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import {
  buildImages,
  connectTestClient,
  containersOf,
  docker,
  executionRequest,
  publishExecution,
  startTestSpawner,
  testSpawnerEnv,
  waitForFinal,
  watchStarts,
  type SpawnerUnderTest,
  type TestClient,
} from './helpers.js';

const SLEEP_IMAGE = 'faas-test-sp-sleep:latest';
/** The victim's lease: the rescuer runs the execution again once it went this long without a renewal. */
const LEASE_MS = 5_000;
const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

interface ChildSpawner {
  readonly child: ChildProcess;
  readonly url: string;
}

/** The real spawner process (`npm start` runs the same file). */
async function startChildSpawner(spawnerId: string, extra: Record<string, string> = {}): Promise<ChildSpawner> {
  const port = await freePort();
  const env = testSpawnerEnv({ SPAWNER_ID: spawnerId, MAX_CONTAINERS: '1', PORT: String(port), LOG_LEVEL: 'warn', ...extra });
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => ((await fetch(`${url}/ready`)).ok ? true : undefined), 20_000, 100);
  return { child, url };
}

describe('spawner: a spawner killed mid-run', () => {
  let client: TestClient;
  let rescuer: SpawnerUnderTest | undefined;
  const children: ChildProcess[] = [];
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [SLEEP_IMAGE]: 'sleep "$1"\n' });
    client = await connectTestClient();
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rescuer?.close();
    await client.close();
  });

  it('is replaced once its lease lapses: another spawner finishes the execution as attempt 2, says why, and no container is left behind', async function () {
    this.timeout(120_000);
    const victimId = uniqueName('faas-test-sp-victim');
    const victim = await startChildSpawner(victimId, { EXECUTION_LEASE_MS: String(LEASE_MS) });
    children.push(victim.child);

    const request = executionRequest(SLEEP_IMAGE, '3');
    await publishExecution(client.nc, request);
    await eventually(async () => {
      const stored = await client.store.get(request.id);
      return stored?.record.status === 'running' && stored.record.spawner === victimId ? true : undefined;
    }, 20_000);
    // The record says running just before the container is created: wait for it (a warm
    // container carries no execution label: it is the victim's only one).
    const orphan = await eventually(async () => (await containersOf(`faas.spawner=${victimId}`))[0], 20_000);
    expect(orphan, 'the victim started a container').to.not.equal(undefined);

    victim.child.kill('SIGKILL');
    await once(victim.child, 'exit');
    rescuer = await startTestSpawner();

    // Redelivery waits for the shared consumer's ack_wait (in-progress acks stopped with the victim),
    // then for the victim's lease to go LEASE_MS without a renewal.
    const info = await (await client.nc.jetstreamManager()).consumers.info(STREAMS.executions, CONSUMERS.spawner);
    const ackWaitMs = (info.config.ack_wait ?? 30e9) / 1e6;
    const record = await waitForFinal(client.store, request.id, ackWaitMs + LEASE_MS + 30_000);
    expect(record).to.include({ status: 'succeeded', attempt: 2 });
    expect(record.spawner).to.not.equal(victimId);
    expect(record.rerun?.previousSpawner, 'the record says whose run was given up').to.equal(victimId);
    expect(record.rerun?.reason).to.match(/not renewed for 5000 ms/);
    const takeovers = (await rescuer.registry.getSingleMetric('faas_spawner_lease_takeovers_total')?.get())?.values[0]?.value;
    expect(takeovers).to.equal(1);

    // The victim restarts under its id (as a Swarm task slot does) and removes what it left behind.
    const restarted = await startChildSpawner(victimId);
    children.push(restarted.child);
    const gone = await docker
      .getContainer(orphan?.Id ?? '')
      .inspect()
      .then(() => false, (err: { statusCode?: number }) => err.statusCode === 404);
    expect(gone, 'the orphaned container was removed').to.equal(true);
    expect(await containersOf(`faas.spawner=${victimId}`)).to.have.length(0);

    restarted.child.kill('SIGTERM');
    const [code] = (await once(restarted.child, 'exit')) as [number | null];
    expect(code, 'graceful exit on SIGTERM').to.equal(0);
    // No spawner of this test may take the next test's execution from its victim.
    await rescuer.close();
    rescuer = undefined;
  });

  it('says rerun when a spawner that only paused (its NATS node lost) stores its final record before the takeover does', async function () {
    this.timeout(120_000);
    const jsm = await client.nc.jetstreamManager();
    const ackWait = (await jsm.consumers.info(STREAMS.executions, CONSUMERS.spawner)).config.ack_wait ?? nanos(30_000);
    const starts = await watchStarts();
    const victimId = uniqueName('faas-test-sp-paused');
    const victim = await startChildSpawner(victimId, { EXECUTION_LEASE_MS: String(LEASE_MS) });
    children.push(victim.child);
    let taker: SpawnerUnderTest | undefined;
    try {
      const request = executionRequest(SLEEP_IMAGE, '2', { warm: false });
      await publishExecution(client.nc, request);
      await eventually(async () => (starts.count(request.id) === 1 ? true : undefined), 30_000, 50);
      await eventually(async () => ((await client.store.get(request.id))?.record.spawner === victimId ? true : undefined), 20_000, 50);
      // Alive but unheard: no renewals, no in-progress acks, while its container runs to its end.
      victim.child.kill('SIGSTOP');
      await jsm.consumers.update(STREAMS.executions, CONSUMERS.spawner, { ack_wait: nanos(3_000) });
      // A run this short would never write its running record after the usual delay: this one never would.
      taker = await startTestSpawner({ RUNNING_RECORD_DELAY_MS: '60000' });
      await eventually(async () => (starts.count(request.id) === 2 ? true : undefined), 60_000, 50);
      // The first run wakes up with its result in hand and stores it first.
      victim.child.kill('SIGCONT');
      const record = await waitForFinal(client.store, request.id, 30_000);
      expect(record.status).to.equal('succeeded');
      expect(record.rerun?.previousSpawner, 'the record says it was started again, and whose run was given up').to.equal(victimId);
      await eventually(async () => ((await jsm.consumers.info(STREAMS.executions, CONSUMERS.spawner)).num_ack_pending === 0 ? true : undefined), 30_000);
      expect((await client.store.get(request.id))?.record, 'the takeover\'s later final changed nothing').to.deep.equal(record);
      expect(starts.count(request.id), 'container starts of this execution').to.equal(2);
    } finally {
      starts.stop();
      if (victim.child.exitCode === null) victim.child.kill('SIGCONT');
      await jsm.consumers.update(STREAMS.executions, CONSUMERS.spawner, { ack_wait: ackWait });
      await taker?.close();
    }
  });
});

