import { CONSUMERS, STREAMS } from '@faas/common';
import { eventually } from '@faas/testing';
import { expect } from 'chai';
import { nanos } from 'nats';
import type { Registry } from 'prom-client';
import { buildImages, connectTestClient, executionRequest, publishExecution, startTestSpawner, waitForFinal, watchStarts, type SpawnerUnderTest, type TestClient } from './helpers.js';

const SLEEP_IMAGE = 'faas-test-sp-sleep:latest';
/** Shorter than the running spawner's in-progress ack interval (a third of the ack wait it started with). */
const SHORT_ACK_WAIT_MS = 3_000;

async function counter(registry: Registry, name: string): Promise<number> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
}

describe('spawner: one live run per execution (leases)', () => {
  let client: TestClient;
  const spawners: SpawnerUnderTest[] = [];
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [SLEEP_IMAGE]: 'sleep "$1"\necho "slept $1"\n' });
    client = await connectTestClient();
  });
  after(async function () {
    this.timeout(60_000);
    for (const sut of spawners) await sut.close();
    await client?.close();
  });

  it('a redelivery while the first run lives waits for it: no second start, one final record', async function () {
    this.timeout(120_000);
    const jsm = await client.nc.jetstreamManager();
    const before = (await jsm.consumers.info(STREAMS.executions, CONSUMERS.spawner)).config.ack_wait ?? nanos(30_000);
    const starts = await watchStarts();
    // The holder sends an in-progress ack every third of the ack wait it started with (10 s by
    // default); once the ack wait is cut to 3 s, the message is redelivered while its run lives,
    // as when in-progress acks are lost during a NATS node loss.
    const holder = await startTestSpawner({ MAX_CONTAINERS: '1' });
    spawners.push(holder);
    try {
      const request = executionRequest(SLEEP_IMAGE, '12', { warm: false });
      await publishExecution(client.nc, request);
      await eventually(async () => ((await client.store.get(request.id))?.record.status === 'running' ? true : undefined), 30_000);
      await jsm.consumers.update(STREAMS.executions, CONSUMERS.spawner, { ack_wait: nanos(SHORT_ACK_WAIT_MS) });
      const other = await startTestSpawner();
      spawners.push(other);

      const record = await waitForFinal(client.store, request.id, 60_000);
      expect(record).to.include({ status: 'succeeded', attempt: 1, spawner: holder.config.spawnerId, result: 'slept 12\n' });
      expect(record.rerun).to.equal(undefined);
      expect(await counter(other.registry, 'faas_spawner_lease_waits_total'), 'the other spawner got the redelivery and waited').to.be.at.least(1);
      expect(await counter(other.registry, 'faas_spawner_lease_takeovers_total')).to.equal(0);
      expect(starts.count(request.id), 'container starts of this execution').to.equal(1);
      // The waiting delivery ends with the run: nothing stays in progress or pending.
      await eventually(async () => {
        const info = await jsm.consumers.info(STREAMS.executions, CONSUMERS.spawner);
        return info.num_ack_pending === 0 && info.num_pending === 0 ? true : undefined;
      }, 20_000);
    } finally {
      starts.stop();
      await jsm.consumers.update(STREAMS.executions, CONSUMERS.spawner, { ack_wait: before });
    }
  });
});
