import { BUCKETS, SUBJECTS, createExecutionStore, openBucket, type ExecutionRecord, type ExecutionStore } from '@faas/common';
import { FUNCTION_SCRIPTS, countGets } from '@faas/testing';
import { expect } from 'chai';
import { IMAGES, buildImages, executionRequest, publishExecution, startTestSpawner, type SpawnerUnderTest } from './helpers.js';

/**
 * A delivery decides on the record it reads: final means "already ran, re-publish", anything else
 * means "run it". A direct get may be answered by a replica that has not applied the final record
 * an earlier attempt stored (5 in 2,000 create-then-read pairs under a CPU hog): a redelivery would
 * then run the function a second time. So the spawner asks the stream's leader, never DIRECT.GET.
 */
describe('spawner: a delivery reads its execution record from the bucket leader', () => {
  let sut: SpawnerUnderTest;
  let leader: ExecutionStore;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGES.echo]: FUNCTION_SCRIPTS.echo });
    sut = await startTestSpawner();
    // The test's own reads go to the leader too: only the spawner's direct gets are counted.
    leader = createExecutionStore(await openBucket(sut.nc, BUCKETS.executions, { replicas: 3, leaderReads: true }));
  });
  after(() => sut?.close());

  it('decides that a record already final is not run again without asking a replica (DIRECT.GET)', async () => {
    const request = executionRequest(IMAGES.echo, 'must not run');
    // Counted on the spawner's own connection, the one that makes the reads (countGets).
    const counts = await countGets(sut.nc, BUCKETS.executions, request.id);
    const at = request.queuedAt;
    const final: ExecutionRecord = {
      id: request.id, user: request.userId, function: request.function, image: request.image,
      status: 'succeeded', result: 'from an earlier attempt', logs: '', exitCode: 0, truncated: false, durationMs: 5,
      queuedAt: at, startedAt: at, finishedAt: at, attempt: 1, spawner: 'earlier',
    };
    await leader.create(final);
    const result = sut.nc.subscribe(SUBJECTS.result(request.id), { max: 1, timeout: 20_000 });
    await publishExecution(sut.nc, request);
    let republished: ExecutionRecord | undefined;
    for await (const msg of result) republished = msg.json<ExecutionRecord>();
    await counts.stop();

    expect(republished).to.include({ result: 'from an earlier attempt', spawner: 'earlier' });
    expect(counts.direct, 'direct gets of the record').to.equal(0);
    expect(counts.leader, 'leader reads of the record').to.be.greaterThan(0);
  });
});
