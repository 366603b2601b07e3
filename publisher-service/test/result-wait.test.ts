import { SUBJECTS, connectNats, createLogger, isPassingFault, openBucket, type ExecutionRecord } from '@faas/common';
import { testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { createWorkQueue } from '../src/executions/work-queue.js';

/**
 * A sync caller waits for the result message and looks at the record every 2 s in case that
 * message was lost. The multi-node e2e met that look failing during a node loss (its read timed
 * out) and the caller answered 503 though its execution was running: the look is best effort.
 */
describe('publisher: waiting for a result while the record cannot be read', () => {
  let nc: NatsConnection;
  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'result-wait', logger: createLogger('result-wait', 'silent') });
  });
  after(async () => nc?.close());

  it('keeps waiting through a passing fault of the record look, and returns the result message', async function () {
    this.timeout(20_000);
    // A real passing fault: a bucket handle whose stream is gone answers "no responders".
    const bucket = uniqueName('gone').replace(/[^a-zA-Z0-9_-]/g, '_');
    const kv = await openBucket(nc, bucket, { replicas: 1 });
    await (await nc.jetstreamManager()).streams.delete(`KV_${bucket}`);
    const id = uniqueName('ex');
    const looks: unknown[] = [];
    const fallback = async (): Promise<ExecutionRecord | undefined> => {
      try {
        await kv.get(id);
      } catch (err) {
        looks.push(err);
        throw err;
      }
      return undefined;
    };
    const wait = createWorkQueue(nc).waitForResult(id, fallback);
    const record = { id, status: 'succeeded', result: 'late' } as unknown as ExecutionRecord;
    const sent = setTimeout(() => nc.publish(SUBJECTS.result(id), JSON.stringify(record)), 2_500);
    try {
      const got = await wait.result(10_000);
      expect(looks, 'the record look failed first').to.have.length.at.least(1);
      expect(looks.every(isPassingFault), 'with a passing fault').to.equal(true);
      expect(got).to.deep.equal(record);
    } finally {
      clearTimeout(sent);
    }
  });
});
