import { expect } from 'chai';
import { markRunning } from '../src/domain/running-marker.js';
import { storeFinal } from '../src/domain/store-final.js';
import { finishedRecord, queuedRecordFor, runningRecord } from '../src/domain/records.js';
import { parseExecutionRequest } from '../src/domain/execution-request.js';
import { createLogger } from '@faas/common';
import { connectTestClient, executionRequest, type TestClient } from './helpers.js';

const limits = { timeoutMs: 30_000, memoryMb: 64, cpus: 0.5, network: 'none' as const };
/** A request as the spawner reads it off the stream. */
const incoming = (argument: string) => parseExecutionRequest(new TextEncoder().encode(JSON.stringify(executionRequest('faas-test-unused:latest', argument))));
const outcome = (stdout: string) => ({ stdout, stderr: '', exitCode: 0, truncated: false, durationMs: 5, timedOut: false, oomKilled: false });

/**
 * A run whose lease renewals went unseen for the lease's ttl (its NATS node lost) is taken over by
 * another delivery while it lives; both runs end. The first final record wins, and the record
 * must still say the execution was started twice (issue 24: the multi-node kill phase saw an
 * execution started twice whose record did not say `rerun`).
 */
describe('spawner: the final record of a run that was taken over while it lived', () => {
  let client: TestClient;
  before(async () => {
    client = await connectTestClient();
  });
  after(async () => client?.close());

  it("keeps the takeover's rerun cause when the first run stores its final record first, and the takeover's final is refused", async () => {
    const request = incoming('x');
    const now = new Date();
    const revQueued = await client.store.create(queuedRecordFor(request, now));
    const first = runningRecord(queuedRecordFor(request, now), 1, 'spawner-a', now);
    const revFirst = await client.store.update(first, revQueued);
    const cause = { previousSpawner: 'spawner-a', reason: 'its lease was not renewed for 20000 ms: the spawner running it is presumed dead' };
    const second = runningRecord(first, 2, 'spawner-b', now, cause);
    const revSecond = await client.store.update(second, revFirst);

    // The first run ends first, against the revision it last wrote (the takeover changed it since).
    const stored = await storeFinal(client.store, finishedRecord(first, outcome('first'), limits, new Date()), revFirst);
    expect(stored.status).to.equal('succeeded');
    expect(stored.result).to.equal('first');
    expect(stored.spawner).to.equal('spawner-a');
    expect(stored.rerun, 'the final record says the execution was started again').to.deep.equal(cause);
    expect((await client.store.get(request.id))?.record).to.deep.equal(stored);

    // The takeover ends next: the stored final record wins and is not changed.
    const late = await storeFinal(client.store, finishedRecord(second, outcome('second'), limits, new Date()), revSecond);
    expect(late).to.deep.equal(stored);
    expect((await client.store.get(request.id))?.record.result).to.equal('first');
  });

  it("does not mark the record running over a takeover's running record, so the first run's final still says rerun", async () => {
    const request = incoming('z');
    const now = new Date();
    const revQueued = await client.store.create(queuedRecordFor(request, now));
    const cause = { previousSpawner: 'spawner-a', reason: 'its lease was not renewed for 20000 ms: the spawner running it is presumed dead' };
    // The takeover marks it running first; the first run's delayed mark comes after (its process was paused).
    await client.store.update(runningRecord(queuedRecordFor(request, now), 2, 'spawner-b', now, cause), revQueued);
    const first = runningRecord(queuedRecordFor(request, now), 1, 'spawner-a', now);
    const marker = await markRunning({ store: client.store, logger: createLogger('test', 'silent'), delayMs: 0 }, first, revQueued);
    expect((await client.store.get(request.id))?.record, "the takeover's record is left as it is").to.include({ attempt: 2, spawner: 'spawner-b' });

    const stored = await storeFinal(client.store, finishedRecord(first, outcome('first'), limits, new Date()), await marker.settle());
    expect(stored).to.include({ result: 'first', spawner: 'spawner-a' });
    expect(stored.rerun).to.deep.equal(cause);
  });

  it('adds no cause when nobody took the run over (a plain conflict: the record was marked running meanwhile by this run)', async () => {
    const request = incoming('y');
    const now = new Date();
    const revQueued = await client.store.create(queuedRecordFor(request, now));
    const running = runningRecord(queuedRecordFor(request, now), 1, 'spawner-a', now);
    await client.store.update(running, revQueued);
    // The final is written against the queued revision (the running mark landed after it was read).
    const stored = await storeFinal(client.store, finishedRecord(running, outcome('only'), limits, new Date()), revQueued);
    expect(stored.result).to.equal('only');
    expect(stored).to.not.have.property('rerun');
    expect((await client.store.get(request.id))?.record).to.deep.equal(stored);
  });
});
