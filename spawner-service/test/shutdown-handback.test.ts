import type { ExecutionRecord } from '@faas/common';
import { eventually } from '@faas/testing';
import { expect } from 'chai';
import {
  buildImages,
  containersOf,
  executionRequest,
  publishExecution,
  startTestSpawner,
  waitForFinal,
  type SpawnerUnderTest,
} from './helpers.js';

const SLEEP_IMAGE = 'faas-test-sp-sleep:latest';

describe('spawner: stopped with a long run in flight (a rolling update)', () => {
  let first: SpawnerUnderTest | undefined;
  let second: SpawnerUnderTest | undefined;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [SLEEP_IMAGE]: 'sleep "$1"\n' });
  });
  after(async () => {
    await first?.close().catch(() => undefined);
    await second?.close();
  });

  it('hands the execution back when the grace period ends: another spawner runs it, never `error`', async function () {
    this.timeout(90_000);
    first = await startTestSpawner({ SHUTDOWN_GRACE_MS: '1000' });
    const request = executionRequest(SLEEP_IMAGE, '5', { limits: { timeoutSeconds: 30, memoryMb: 32, cpus: 0.5, network: 'none' } });
    const statuses: string[] = [];
    const watch = await (await first.nc.jetstream().views.kv('executions')).watch({ key: request.id });
    void (async () => {
      for await (const entry of watch) statuses.push(entry.json<ExecutionRecord>().status);
    })();
    await publishExecution(first.nc, request);
    const firstId = first.config.spawnerId;
    const store = first.store;
    await eventually(async () => ((await store.get(request.id))?.record.spawner === firstId ? true : undefined), 30_000);

    second = await startTestSpawner();
    await first.spawner.stop();
    expect(await containersOf(`faas.spawner=${firstId}`)).to.have.length(0);
    const record = await waitForFinal(second.store, request.id, 60_000);
    watch.stop();
    expect(record).to.include({ status: 'succeeded', spawner: second.config.spawnerId });
    expect(record.attempt).to.equal(2);
    expect(statuses).to.not.include('error');
  });
});
