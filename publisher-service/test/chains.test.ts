import { randomUUID } from 'node:crypto';
import { SUBJECTS, type ExecutionRecord, type FunctionDefinition } from '@faas/common';
import { eventually } from '@faas/testing';
import { expect } from 'chai';
import { finalRecordOf, seedFunction, seedTrigger, startPublisher, triggeredRecords, type PublisherUnderTest } from './trigger-helpers.js';

/** A final record as a spawner stores it, with no core-NATS result published. */
const finalRecord = (fn: FunctionDefinition, result: string): ExecutionRecord => finalRecordOf({ user: fn.userId, function: fn.name, image: fn.image, result });

/**
 * Issue 21 item 3: chains followed the core-NATS result (lost when no publisher heard it) and fired
 * again when a final record was published again. Now they follow the stored final record, and the
 * chained execution's id is a function of (source, trigger).
 */
describe('publisher: chains from stored final records', function () {
  this.timeout(60_000);
  let publisher: PublisherUnderTest;
  let source: FunctionDefinition;
  let userId: string;

  before(async () => {
    publisher = await startPublisher({ TRIGGER_SCHEDULER: 'false' });
    userId = randomUUID();
    source = await seedFunction(publisher.nc, userId);
    const target = await seedFunction(publisher.nc, userId);
    await seedTrigger(publisher.nc, target, { kind: 'function-finished', source: source.name, statuses: ['succeeded'] });
  });
  after(() => publisher?.close());

  const chainedFrom = async (id: string): Promise<ExecutionRecord[]> =>
    (await triggeredRecords(publisher.deps, userId)).filter((r) => r.trigger?.sourceExecution === id);

  it('starts the chain from a final record that was stored but never published as a result', async () => {
    const record = finalRecord(source, 'hello');
    await publisher.deps.store.put(record);
    const [chained] = await eventually(async () => {
      const found = await chainedFrom(record.id);
      return found.length > 0 ? found : undefined;
    }, 20_000, 100);
    expect(chained?.trigger).to.include({ kind: 'function-finished', sourceExecution: record.id, depth: 1 });
  });

  it('starts one chained execution however often the final record is written again', async () => {
    // Stored and announced three times, as a spawner does after a redelivery or a lease end.
    const store = async (r: ExecutionRecord): Promise<void> => {
      await publisher.deps.store.put(r);
      publisher.nc.publish(SUBJECTS.result(r.id), JSON.stringify(r));
    };
    const record = finalRecord(source, 'again');
    for (let i = 0; i < 3; i++) await store(record);
    // One consumer handles the writes in order: once a later record's chain exists, the repeats were handled.
    const marker = finalRecord(source, 'marker');
    await store(marker);
    await eventually(async () => ((await chainedFrom(marker.id)).length > 0 ? true : undefined), 20_000, 100);
    expect(await chainedFrom(record.id)).to.have.length(1);
  });
});
