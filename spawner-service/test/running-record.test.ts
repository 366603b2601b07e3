import type { ExecutionRecord } from '@faas/common';
import { FUNCTION_SCRIPTS, eventually } from '@faas/testing';
import { expect } from 'chai';
import type { KV, KvEntry, QueuedIterator } from 'nats';
import {
  IMAGES,
  buildImages,
  executionRequest,
  publishExecution,
  startTestSpawner,
  waitForFinal,
  type SpawnerUnderTest,
} from './helpers.js';

interface Seen {
  readonly statuses: string[];
  readonly revisions: number[];
  stop(): void;
}

/** Every write to one record, in order, from a KV watch started before the execution is published. */
async function follow(kv: KV, id: string): Promise<Seen> {
  const statuses: string[] = [];
  const revisions: number[] = [];
  const watch: QueuedIterator<KvEntry> = await kv.watch({ key: id });
  void (async () => {
    for await (const entry of watch) {
      statuses.push(entry.json<ExecutionRecord>().status);
      revisions.push(entry.revision);
    }
  })();
  return { statuses, revisions, stop: () => watch.stop() };
}

const queued = (request: ReturnType<typeof executionRequest>): ExecutionRecord => ({
  id: request.id, user: request.userId, function: request.function, image: request.image, status: 'queued',
  result: null, logs: null, exitCode: null, truncated: false, durationMs: null, queuedAt: request.queuedAt,
  startedAt: null, finishedAt: null, attempt: 0, spawner: null,
});

/** One spawner at a time on the shared consumer: each block's settings decide what its runs write. */
function withSpawner(env: Record<string, string>, body: (sut: () => SpawnerUnderTest, kv: () => KV) => void): void {
  let sut: SpawnerUnderTest;
  let kv: KV;
  before(async function () {
    this.timeout(120_000);
    await buildImages({ [IMAGES.echo]: FUNCTION_SCRIPTS.echo, [IMAGES.sleep]: 'sleep "$1"\n' });
    sut = await startTestSpawner(env);
    kv = await sut.nc.jetstream().views.kv('executions');
  });
  after(() => sut?.close());
  body(() => sut, () => kv);
}

describe('spawner: the running record', () => {
  describe('with the default delay', () => {
    withSpawner({}, (sut, kv) => {
      it('shows a long run as running while it runs, then final with the same start time', async function () {
        this.timeout(60_000);
        const request = executionRequest(IMAGES.sleep, '3');
        await sut().store.create(queued(request));
        await publishExecution(sut().nc, request);
        const running = await eventually(async () => {
          const stored = await sut().store.get(request.id);
          return stored?.record.status === 'running' ? stored.record : undefined;
        }, 20_000);
        expect(running).to.include({ attempt: 1, spawner: sut().config.spawnerId, finishedAt: null });
        expect(running.startedAt).to.be.a('string');
        const final = await waitForFinal(sut().store, request.id);
        expect(final).to.include({ status: 'succeeded', attempt: 1, startedAt: running.startedAt });
      });

      it('keeps the final record another attempt stored while this one ran, and stores no second one', async function () {
        this.timeout(60_000);
        const request = executionRequest(IMAGES.sleep, '2');
        await sut().store.create(queued(request));
        const seen = await follow(kv(), request.id);
        await publishExecution(sut().nc, request);
        const stored = await eventually(async () => {
          const current = await sut().store.get(request.id);
          return current?.record.status === 'running' ? current : undefined;
        }, 20_000);
        const other: ExecutionRecord = { ...stored.record, status: 'failed', result: 'from another attempt', exitCode: 1, finishedAt: new Date().toISOString(), spawner: 'another' };
        await sut().store.update(other, stored.revision);
        // The spawner finds the other final record when it stores its own, and acks: the message leaves the stream.
        const jsm = await sut().nc.jetstreamManager();
        await eventually(async () => ((await jsm.consumers.info('EXECUTIONS', 'spawner')).num_ack_pending === 0 ? true : undefined), 20_000);
        seen.stop();
        expect((await sut().store.get(request.id))?.record).to.deep.equal(other);
        expect(seen.statuses).to.deep.equal(['queued', 'running', 'failed']);
      });
    });
  });

  describe('with a delay longer than any run here', () => {
    withSpawner({ RUNNING_RECORD_DELAY_MS: '60000' }, (sut, kv) => {
      it('goes from queued to final in one revision-checked write', async () => {
        const request = executionRequest(IMAGES.echo, 'straight');
        const revision = await sut().store.create(queued(request));
        const seen = await follow(kv(), request.id);
        await publishExecution(sut().nc, request);
        const final = await waitForFinal(sut().store, request.id);
        await eventually(() => (seen.statuses.includes('succeeded') ? true : undefined));
        seen.stop();
        expect(final).to.include({ status: 'succeeded', result: 'straight', attempt: 1, spawner: sut().config.spawnerId });
        expect(final.startedAt).to.be.a('string');
        expect(seen.statuses).to.deep.equal(['queued', 'succeeded']);
        expect(seen.revisions[1]).to.be.greaterThan(revision);
      });

      it('creates the final record when the publisher wrote none', async () => {
        const request = executionRequest(IMAGES.echo, 'no record');
        await publishExecution(sut().nc, request);
        expect(await waitForFinal(sut().store, request.id)).to.include({ status: 'succeeded', result: 'no record', attempt: 1 });
      });
    });
  });

  describe('with a delay shorter than the run', () => {
    withSpawner({ RUNNING_RECORD_DELAY_MS: '1500' }, (sut, kv) => {
      it('does not mark running, nor store its own result, over a final record another attempt stored before the mark', async function () {
        this.timeout(60_000);
        const request = executionRequest(IMAGES.sleep, '3');
        const revision = await sut().store.create(queued(request));
        const seen = await follow(kv(), request.id);
        await publishExecution(sut().nc, request);
        // The spawner has the message (and has read the record): another attempt finishes first.
        const jsm = await sut().nc.jetstreamManager();
        await eventually(async () => ((await jsm.consumers.info('EXECUTIONS', 'spawner')).num_ack_pending === 1 ? true : undefined), 20_000, 10);
        const other: ExecutionRecord = {
          ...queued(request), status: 'failed', result: 'from another attempt', exitCode: 1, attempt: 2, spawner: 'another',
          startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(),
        };
        await sut().store.update(other, revision);
        await eventually(async () => ((await jsm.consumers.info('EXECUTIONS', 'spawner')).num_ack_pending === 0 ? true : undefined), 20_000);
        seen.stop();
        expect((await sut().store.get(request.id))?.record).to.deep.equal(other);
        expect(seen.statuses).to.deep.equal(['queued', 'failed']);
      });
    });
  });

  describe('with the delay at 0', () => {
    withSpawner({ RUNNING_RECORD_DELAY_MS: '0' }, (sut, kv) => {
      it('writes running before every run, then one final record', async () => {
        const request = executionRequest(IMAGES.echo, 'marked first');
        await sut().store.create(queued(request));
        const seen = await follow(kv(), request.id);
        await publishExecution(sut().nc, request);
        await waitForFinal(sut().store, request.id);
        await eventually(() => (seen.statuses.includes('succeeded') ? true : undefined));
        seen.stop();
        expect(seen.statuses).to.deep.equal(['queued', 'running', 'succeeded']);
      });
    });
  });
});
