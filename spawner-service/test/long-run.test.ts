import { CONSUMERS, STREAMS, type ExecutionRecord } from '@faas/common';
import { expect } from 'chai';
import { buildImages, containersOf, execute, executionRequest, startTestSpawner, type SpawnerUnderTest } from './helpers.js';

const SLEEP_IMAGE = 'faas-test-sp-sleep:latest';

describe('spawner: a run longer than the ack wait', () => {
  let sut: SpawnerUnderTest;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [SLEEP_IMAGE]: 'sleep "$1"\n' });
    sut = await startTestSpawner();
  });
  after(async () => {
    if (!sut) return; // before() failed
    await sut.close();
    expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
  });

  it('is kept alive by in-progress acks: one attempt, never redelivered', async function () {
    const info = await (await sut.nc.jetstreamManager()).consumers.info(STREAMS.executions, CONSUMERS.spawner);
    const ackWaitSeconds = (info.config.ack_wait ?? 30e9) / 1e9;
    this.timeout((ackWaitSeconds + 40) * 1000);
    const seconds = Math.ceil(ackWaitSeconds) + 3;
    const request = executionRequest(SLEEP_IMAGE, String(seconds), {
      limits: { timeoutSeconds: seconds + 20, memoryMb: 32, cpus: 0.5, network: 'none' },
    });
    const statuses: string[] = [];
    const watch = await (await sut.nc.jetstream().views.kv('executions')).watch({ key: request.id });
    void (async () => {
      for await (const entry of watch) statuses.push(entry.json<ExecutionRecord>().status);
    })();
    const record = await execute(sut, request, (seconds + 15) * 1000);
    watch.stop();
    expect(record).to.include({ status: 'succeeded', attempt: 1, spawner: sut.config.spawnerId });
    // The engine's timestamps may put a `sleep N` a few ms under N s.
    expect(record.durationMs).to.be.at.least(seconds * 1000 - 100);
    expect(statuses.filter((s) => s === 'running')).to.have.length(1);
  });
});
