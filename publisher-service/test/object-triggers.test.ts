import { randomUUID } from 'node:crypto';
import { BUCKETS, CONSUMERS, openObjectBucket, type ExecutionRecord, type FunctionDefinition, type ObjectBucket } from '@faas/common';
import { eventually } from '@faas/testing';
import { expect } from 'chai';
import { newExecutionId } from '../src/executions/ids.js';
import { seedFunction, seedTrigger, startPublisher, triggeredRecords, type PublisherUnderTest } from './trigger-helpers.js';

const bytes = (text: string): AsyncIterable<Uint8Array> => (async function* () { yield new TextEncoder().encode(text); })();

/**
 * Issue 27 part 2: object triggers follow the object stores' meta subjects through one durable
 * consumer shared by every publisher, so a change fires once however many publishers run.
 */
describe('publisher: object triggers from the object stores, across two publishers', function () {
  this.timeout(90_000);
  let first: PublisherUnderTest;
  let second: PublisherUnderTest;
  let uploads: ObjectBucket;
  let outputs: ObjectBucket;
  let alice: string;
  let fn: FunctionDefinition;

  const put = (bucket: ObjectBucket, key: string, text = 'a,b\n1,2\n') => bucket.put(key, bytes(text), { contentType: 'text/csv', maxBytes: 1_000 });
  const fired = async (userId: string): Promise<ExecutionRecord[]> => (await triggeredRecords(first.deps, userId)).filter((r) => r.trigger?.kind === 'object');
  const firedFor = async (userId: string, name: string, event = 'created'): Promise<ExecutionRecord[]> =>
    (await fired(userId)).filter((r) => r.trigger?.object === name && r.trigger.event === event);
  const waitFor = (userId: string, name: string, event = 'created'): Promise<ExecutionRecord[]> =>
    eventually(async () => {
      const found = await firedFor(userId, name, event);
      return found.length > 0 ? found : undefined;
    }, 30_000, 100);

  /** Every change stored so far in the bucket's stream has been handled (acked) by the publishers. */
  const handled = async (bucket: string): Promise<void> => {
    const jsm = await first.nc.jetstreamManager();
    const { state } = await jsm.streams.info(`OBJ_${bucket}`);
    await eventually(async () => ((await jsm.consumers.info(`OBJ_${bucket}`, CONSUMERS.publisherObjects)).ack_floor.stream_seq >= state.last_seq ? true : undefined), 30_000, 100);
  };

  before(async () => {
    alice = randomUUID();
    first = await startPublisher({ TRIGGER_SCHEDULER: 'false', TRIGGER_MAX_CHAIN_DEPTH: '2' });
    second = await startPublisher({ TRIGGER_SCHEDULER: 'false', TRIGGER_MAX_CHAIN_DEPTH: '2' });
    fn = await seedFunction(first.nc, alice);
    await seedTrigger(first.nc, fn, { kind: 'object', events: ['created', 'deleted'], prefix: 'in/', outputs: false });
    [uploads, outputs] = await Promise.all([
      openObjectBucket(first.nc, BUCKETS.objects, { replicas: 3, index: BUCKETS.objectIndex }),
      openObjectBucket(first.nc, BUCKETS.outputs, { replicas: 3, index: BUCKETS.outputIndex }),
    ]);
    // Both watches must know the trigger before the first change: a marker that fires proves it for the one that took it.
    await eventually(async () => {
      await put(uploads, `${alice}/in/warm-up.csv`);
      return (await firedFor(alice, 'in/warm-up.csv')).length > 0 ? true : undefined;
    }, 30_000, 500);
  });
  after(async () => {
    await first?.close();
    await second?.close();
  });

  it('fires exactly one execution per upload, with the object in the record, however many publishers consume', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `in/batch-${i}.csv`);
    await Promise.all(names.map((n) => put(uploads, `${alice}/${n}`)));
    for (const n of names) await waitFor(alice, n);
    await handled(BUCKETS.objects);
    for (const n of names) {
      const found = await firedFor(alice, n);
      expect(found, n).to.have.length(1);
      expect(found[0]?.trigger).to.include({ kind: 'object', object: n, event: 'created' });
      expect(found[0]).to.include({ function: fn.name, status: 'queued' });
    }
  });

  it('fires one execution for a delete, and nothing for a name outside the prefix', async () => {
    await put(uploads, `${alice}/elsewhere/x.csv`);
    await put(uploads, `${alice}/in/gone.csv`);
    await waitFor(alice, 'in/gone.csv');
    await uploads.delete(`${alice}/in/gone.csv`);
    await uploads.delete(`${alice}/elsewhere/x.csv`);
    const [deleted] = await waitFor(alice, 'in/gone.csv', 'deleted');
    expect(deleted?.trigger).to.include({ event: 'deleted' });
    await handled(BUCKETS.objects);
    expect(await firedFor(alice, 'in/gone.csv', 'deleted')).to.have.length(1);
    expect((await fired(alice)).filter((r) => r.trigger?.object?.startsWith('elsewhere/'))).to.deep.equal([]);
  });

  it("fires nothing for another user's upload under the same name, nor for an output unless the trigger takes outputs", async () => {
    const bob = randomUUID();
    await seedFunction(first.nc, bob);
    await put(uploads, `${bob}/in/batch-0.csv`);
    const execution = newExecutionId();
    await put(outputs, `${alice}/${execution}/in/result.csv`);
    await handled(BUCKETS.objects);
    await handled(BUCKETS.outputs);
    expect(await fired(bob)).to.deep.equal([]);
    expect((await fired(alice)).filter((r) => r.trigger?.object?.startsWith('executions/'))).to.deep.equal([]);
  });

  it('fires on an output for a trigger that takes outputs, one chain step deeper, and stops at the depth limit', async () => {
    const writer = await seedFunction(first.nc, alice);
    await seedTrigger(first.nc, writer, { kind: 'object', events: ['created'], prefix: 'executions/', outputs: true });
    const source = newExecutionId();
    const waitOutput = async (execution: string): Promise<ExecutionRecord> => {
      await put(outputs, `${alice}/${execution}/out.txt`, 'x');
      const [found] = await waitFor(alice, `executions/${execution}/out.txt`);
      return found as ExecutionRecord;
    };
    const one = await waitOutput(source);
    expect(one.trigger).to.include({ sourceExecution: source, depth: 1 });
    expect(one.function).to.equal(writer.name);
    const two = await waitOutput(one.id);
    expect(two.trigger).to.include({ sourceExecution: one.id, depth: 2 });
    // two is at depth 2 = TRIGGER_MAX_CHAIN_DEPTH: its output starts nothing.
    await put(outputs, `${alice}/${two.id}/out.txt`, 'x');
    await handled(BUCKETS.outputs);
    expect(await firedFor(alice, `executions/${two.id}/out.txt`)).to.deep.equal([]);
  });
});
