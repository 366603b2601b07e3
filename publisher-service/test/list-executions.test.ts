import { BUCKETS, connectNats, createExecutionStore, createLogger, openBucket, openExecutionsBucket, type ExecutionRecord } from '@faas/common';
import { testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { createExecutionIndex } from '../src/executions/execution-index.js';
import { listExecutions } from '../src/executions/execution-reads.js';
import { newExecutionId } from '../src/executions/ids.js';

describe('publisher: listing executions past 2000 index entries', function () {
  this.timeout(120_000);
  let nc: NatsConnection;
  after(() => nc.close());

  it('reaches, page by page, a match older than the 2000 newest (it was silently missing)', async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'list-test', logger: createLogger('list-test', 'silent') });
    const store = createExecutionStore(await openExecutionsBucket(nc, 3, { leaderReads: true }));
    const index = createExecutionIndex(await openBucket(nc, BUCKETS.executionIndex, { replicas: 3 }));
    const user = uniqueName('lister');
    // The oldest execution is the only one of function `rare`; 2010 newer ones (index only) are not.
    const rare = newExecutionId();
    await store.create(recordOf(rare, user, 'rare'));
    await index.add(user, rare, { function: 'rare' });
    const newer = Array.from({ length: 2_010 }, () => newExecutionId());
    for (let i = 0; i < newer.length; i += 200) {
      await Promise.all(newer.slice(i, i + 200).map((id) => index.add(user, id, { function: 'common' })));
    }
    const found: ExecutionRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listExecutions({ store, index }, user, { limit: 50, function: 'rare', ...(cursor ? { cursor } : {}) });
      found.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);
    expect(found.map((r) => r.id)).to.deep.equal([rare]);
    expect(pages, 'the first page stopped at 2000 reads and said where to go on').to.equal(2);
  });
});

function recordOf(id: string, user: string, fn: string): ExecutionRecord {
  return {
    id, user, function: fn, image: 'i', status: 'succeeded', result: 'x', logs: null, exitCode: 0, truncated: false, durationMs: 1,
    queuedAt: new Date().toISOString(), startedAt: null, finishedAt: null, attempt: 1, spawner: null,
  };
}
