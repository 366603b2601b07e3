import { randomBytes } from 'node:crypto';
import type { ExecutionRecord } from '@faas/common';
import { eventually } from '@faas/testing';
import { expect } from 'chai';
import { buildImages, executionRequest, publishExecution, startTestSpawner, waitForFinal, type SpawnerUnderTest } from './helpers.js';

const SLEEP_IMAGE = 'faas-test-sp-sleep:latest';

/** A UUIDv7 execution id made `agoMs` ago, as the publisher makes them. */
function idFrom(agoMs: number): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(Date.now() - agoMs, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('spawner: the stuck-record sweeper', () => {
  let a: SpawnerUnderTest;
  let b: SpawnerUnderTest;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [SLEEP_IMAGE]: 'sleep "$1"\n' });
    // Sweeps only when asked (the interval is far away), counting records older than 2 s.
    a = await startTestSpawner({ STUCK_SWEEP_MS: '600000', STUCK_AFTER_MS: '2000' });
    b = await startTestSpawner({ STUCK_SWEEP_MS: '600000', STUCK_AFTER_MS: '2000' });
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('ends a record whose request is gone, leaves one in flight alone, and sweeps one spawner at a time', async function () {
    this.timeout(90_000);
    // Ids from 3 s ago: older than STUCK_AFTER_MS, younger than the cursor earlier sweeps (5 min) left.
    // A record left `running` by a lost max-deliveries advisory: its message is gone.
    const lost = executionRequest(SLEEP_IMAGE, '1', { id: idFrom(3_000) });
    const stale: ExecutionRecord = {
      id: lost.id, user: lost.userId, function: lost.function, image: lost.image, status: 'running', result: null, logs: null, exitCode: null,
      truncated: false, durationMs: null, queuedAt: lost.queuedAt, startedAt: lost.queuedAt, finishedAt: null, attempt: 3, spawner: 'gone',
    };
    await a.store.create(stale);
    // A long run in flight, its id as old: its request is still on the stream (unacked).
    const running = executionRequest(SLEEP_IMAGE, '6', { id: idFrom(3_000), limits: { timeoutSeconds: 30, memoryMb: 32, cpus: 0.5, network: 'none' } });
    await publishExecution(a.nc, running);
    await eventually(async () => ((await a.store.get(running.id))?.record.status === 'running' ? true : undefined), 20_000);

    // Earlier spawners' leases lapse within two of their intervals (STUCK_SWEEP_MS=2000 in tests).
    const ended = await eventually(() => a.spawner.sweepStuck(), 15_000, 200);
    expect(await b.spawner.sweepStuck(), 'the lease is held by the other spawner').to.equal(undefined);
    expect(ended).to.be.at.least(1);
    const swept = await a.store.get(lost.id);
    expect(swept?.record).to.include({ status: 'error', attempt: 3 });
    expect(swept?.record.error).to.match(/no longer queued/);
    expect((await a.store.get(running.id))?.record.status).to.equal('running');
    expect(await waitForFinal(a.store, running.id, 30_000)).to.include({ status: 'succeeded' });
  });
});
