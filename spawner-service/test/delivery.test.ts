import { SUBJECTS, type ExecutionRecord } from '@faas/common';
import { FUNCTION_SCRIPTS } from '@faas/testing';
import { expect } from 'chai';
import {
  IMAGES,
  buildImages,
  execute,
  executionRequest,
  publishExecution,
  startTestSpawner,
  waitForFinal,
  type SpawnerUnderTest,
} from './helpers.js';

describe('spawner: delivery rules', () => {
  let sut: SpawnerUnderTest;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGES.echo]: FUNCTION_SCRIPTS.echo });
    sut = await startTestSpawner();
  });
  after(() => sut?.close());

  it('runs an execution id published twice (same Nats-Msg-Id) once', async () => {
    const request = executionRequest(IMAGES.echo, 'once');
    const kv = await sut.nc.jetstream().views.kv('executions');
    const statuses: string[] = [];
    const watch = await kv.watch({ key: request.id });
    const seen = (async () => {
      for await (const entry of watch) {
        const record = entry.json<ExecutionRecord>();
        statuses.push(record.status);
        if (record.status === 'succeeded') break;
      }
    })();
    const first = await publishExecution(sut.nc, request);
    const second = await publishExecution(sut.nc, request);
    expect(first.duplicate).to.equal(false);
    expect(second.duplicate).to.equal(true);
    expect(second.seq).to.equal(first.seq);
    const record = await waitForFinal(sut.store, request.id);
    await seen;
    watch.stop();
    expect(record).to.include({ status: 'succeeded', result: 'once', attempt: 1 });
    // `running` only when the run outlasted RUNNING_RECORD_DELAY_MS (see running-record.test).
    expect(statuses.filter((s) => s !== 'running')).to.deep.equal(['succeeded']);
    expect(statuses.filter((s) => s === 'running').length).to.be.at.most(1);
  });

  it('keeps a record that is already final and re-publishes it on the result subject', async () => {
    const request = executionRequest(IMAGES.echo, 'should not run');
    const final: ExecutionRecord = {
      id: request.id, user: request.userId, function: request.function, image: request.image,
      status: 'succeeded', result: 'from the first run', logs: '', exitCode: 0, truncated: false, durationMs: 5,
      queuedAt: request.queuedAt, startedAt: request.queuedAt, finishedAt: request.queuedAt, attempt: 1, spawner: 'earlier',
    };
    const revision = await sut.store.create(final);
    const sub = sut.nc.subscribe(SUBJECTS.result(request.id), { max: 1, timeout: 15_000 });
    const published = (async () => {
      for await (const msg of sub) return msg.json<ExecutionRecord>();
      return undefined;
    })();
    await publishExecution(sut.nc, request);
    expect(await published).to.deep.equal(final);
    const stored = await sut.store.get(request.id);
    expect(stored?.revision).to.equal(revision);
  });

  it('turns a queued record into a final one, keeping what the publisher wrote', async () => {
    const request = executionRequest(IMAGES.echo, 'queued first');
    await sut.store.create({
      id: request.id, user: request.userId, function: request.function, image: request.image, status: 'queued',
      result: null, logs: null, exitCode: null, truncated: false, durationMs: null, queuedAt: '2020-01-01T00:00:00.000Z',
      startedAt: null, finishedAt: null, attempt: 0, spawner: null,
    });
    const record = await execute(sut, request);
    expect(record).to.include({ status: 'succeeded', queuedAt: '2020-01-01T00:00:00.000Z', attempt: 1 });
  });

  it('terminates a malformed message, counts it and keeps serving', async () => {
    const js = sut.nc.jetstream();
    await js.publish(SUBJECTS.exec('spawner-test-user'), 'this is not an execution request');
    await js.publish(SUBJECTS.exec('spawner-test-user'), JSON.stringify({ id: 'x y z', image: 42 }));
    const record = await execute(sut, executionRequest(IMAGES.echo, 'still here'));
    expect(record.result).to.equal('still here');
    const metric = await sut.registry.getSingleMetric('faas_spawner_messages_rejected_total')?.get();
    const malformed = metric?.values.find((v) => v.labels.reason === 'malformed')?.value ?? 0;
    // At least one: a spawner of another suite, if one were still running, could take the other.
    expect(malformed).to.be.at.least(1);
  });
});
