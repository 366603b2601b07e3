import { SUBJECTS, connectNats, createLogger, type ExecutionRecord, type ExecutionStore } from '@faas/common';
import { testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { KV, NatsConnection } from 'nats';
import type { ExecutionIndex } from '../src/executions/execution-index.js';
import { submitExecution, type ExecutionDeps, type SubmitInput } from '../src/executions/executions.js';
import { createQuotaStore } from '../src/quota/quota-store.js';
import { createWorkQueue, type WorkQueue } from '../src/executions/work-queue.js';
import { callerFor, fnFor, openSubmitBuckets } from './submit-helpers.js';

/** A gate opened once, or after `ms` (so a submit that waits for the wrong thing ends, and fails its test). */
function gate(ms: number): { open(): void; passed: Promise<void> } {
  let open = (): void => undefined;
  const passed = new Promise<void>((resolve) => {
    open = resolve;
    setTimeout(resolve, ms).unref();
  });
  return { open, passed };
}

/**
 * A plain submit writes its `queued` record and index entry beside the publish (one round trip on
 * the caller's path, not two); a callback, a trigger or a chained id keep the record first.
 */
describe('publisher: the request is published beside its record', () => {
  let nc: NatsConnection;
  let store: ExecutionStore;
  let index: ExecutionIndex;
  let quotaKv: KV;
  const logger = createLogger('publish-beside-test', 'silent');


  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'publish-beside-test', logger });
    ({ store, quotaKv, index } = await openSubmitBuckets(nc));
  });
  after(() => nc.drain());

  /** The real store and queue, each step logged in `steps`; the record's create waits for `createGate`. */
  function depsFor(userId: string, steps: string[], createGate: Promise<void>, queue: WorkQueue = createWorkQueue(nc)): ExecutionDeps {
    return {
      store: { ...store, create: async (record) => (await createGate, steps.push('record created'), store.create(record).finally(() => steps.push('record stored'))) },
      index, logger, maxArgumentBytes: 65_536, checkCallback: async () => undefined,
      enqueueCallback: async () => void steps.push('callback queued'),
      queue: { ...queue, publish: (request, context) => (steps.push('publish'), queue.publish(request, context)) },
      functions: { getFunction: async () => fnFor(userId) },
      quota: createQuotaStore(quotaKv, { maxConcurrent: 10, holdMaxMs: 3_600_000, isSettled: async () => false }),
    };
  }

  it('publishes a plain submit while its record create is still held back, and the record and index entry land', async () => {
    const user = uniqueName('beside');
    const steps: string[] = [];
    const held = gate(5_000);
    const deps = depsFor(user, steps, held.passed);
    const publishing = deps.queue.publish;
    const submitted = await submitExecution({ ...deps, queue: { ...deps.queue, publish: (r, c) => (held.open(), publishing(r, c)) } }, callerFor(user), { name: 'echo', argument: 'x' }, false);
    expect(steps.indexOf('publish'), steps.join(', ')).to.be.within(0, steps.indexOf('record created'));
    expect((await store.get(submitted.record.id))?.record.status).to.equal('queued');
    expect(await index.ids(user)).to.deep.equal([submitted.record.id]);
  });

  for (const [what, input] of [
    ['a callback', { callbackUrl: 'http://127.0.0.1:9/hook' }],
    ['a trigger', { trigger: { id: 't1', name: 'nightly', kind: 'schedule' } }],
    ['a chosen id', { id: uniqueName('chained') }],
  ] as const) {
    it(`writes the record first, then publishes, for a submit with ${what}`, async () => {
      const user = uniqueName('ordered');
      const steps: string[] = [];
      const submit: SubmitInput = { name: 'echo', argument: 'x', ...input };
      await submitExecution(depsFor(user, steps, gate(300).passed), callerFor(user), submit, false);
      const expected = ['record created', 'record stored', ...('callbackUrl' in input ? ['callback queued'] : []), 'publish'];
      expect(steps).to.deep.equal(expected);
    });
  }

  it('answers with the final record of a spawner that stored it before the publisher\'s create landed, and keeps it', async () => {
    const user = uniqueName('first');
    const steps: string[] = [];
    const held = gate(10_000);
    let finished: ExecutionRecord | undefined;
    const real = createWorkQueue(nc);
    // As a spawner would: the message is stored, it runs, creates the record and publishes the result.
    const spawnerFirst: WorkQueue = {
      ...real,
      async publish(request, context) {
        await real.publish(request, context);
        const at = new Date().toISOString();
        finished = {
          id: request.id, user: request.userId, function: request.function, image: request.image, status: 'succeeded', result: 'ran', logs: '',
          exitCode: 0, truncated: false, durationMs: 1, queuedAt: request.queuedAt, startedAt: at, finishedAt: at, attempt: 1, spawner: 'sp-1',
        };
        await store.create(finished);
        nc.publish(SUBJECTS.result(request.id), JSON.stringify(finished));
        held.open();
      },
    };
    const submitted = await submitExecution(depsFor(user, steps, held.passed, spawnerFirst), callerFor(user), { name: 'echo', argument: 'x' }, true);
    expect(await submitted.wait?.result(10_000)).to.deep.equal(finished);
    expect(steps, 'the publisher\'s create came after the spawner\'s').to.deep.equal(['publish', 'record created', 'record stored']);
    expect((await store.get(submitted.record.id))?.record).to.deep.equal(finished);
    expect(await index.ids(user)).to.deep.equal([submitted.record.id]);
  });
});
