import { connectNats, createExecutionStore, createLogger, openExecutionsBucket, type ExecutionStore, type StoredExecution } from '@faas/common';
import { FUNCTION_SCRIPTS } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { loadSpawnerConfig, type SpawnerConfig } from '../src/config.js';
import { parseExecutionRequest, type IncomingExecution } from '../src/domain/execution-request.js';
import { newInstanceId, newLease, type LeaseSettings, type LeaseStore } from '../src/domain/execution-lease.js';
import { runExecution, type RunExecutionPorts, type RunOutcome } from '../src/domain/run-execution.js';
import { queuedRecordFor } from '../src/domain/records.js';
import { createDockerRunner, type DockerRunner } from '../src/infra/docker-runner.js';
import { natsResultPublisher } from '../src/infra/execution-handler.js';
import { kvFunctionSource } from '../src/infra/function-source.js';
import { kvLeaseStore, openLeaseBucket } from '../src/infra/lease-store.js';
import { IMAGES, buildImages, docker, executionRequest, registerFunction, testSpawnerEnv } from './helpers.js';

/** The request as a delivery parses it from its message. */
const incoming = (request: object): IncomingExecution => parseExecutionRequest(new TextEncoder().encode(JSON.stringify(request)));

/** What a delivery asked of the real buckets, in order; the lease's create is logged when it starts and when it resolves. */
type Step = 'lease create' | 'lease created' | 'lease read' | 'record read' | 'definition read' | 'container run';

/**
 * The record and the definition are two leader reads on the sync path. On a first delivery they go
 * out with the lease create; on a redelivery only after the lease is held, since an earlier run may
 * have stored its final record and released its lease in between.
 */
describe('spawner: a first delivery reads its record while it takes the lease', () => {
  let nc: NatsConnection;
  let leases: LeaseStore;
  let records: ExecutionStore;
  let runner: DockerRunner;
  let config: SpawnerConfig;
  const logger = createLogger('early-reads-test', 'silent');

  before(async function () {
    this.timeout(120_000);
    config = loadSpawnerConfig(testSpawnerEnv());
    await buildImages({ [IMAGES.echo]: FUNCTION_SCRIPTS.echo });
    nc = await connectNats({ servers: config.natsUrls, name: 'early-reads-test', logger });
    leases = kvLeaseStore(await openLeaseBucket(nc, 3, logger));
    records = createExecutionStore(await openExecutionsBucket(nc, 3, { leaderReads: true }));
    runner = createDockerRunner({ docker, sandbox: config.sandbox, spawnerId: config.spawnerId, logger });
  });
  after(async () => {
    await runner?.close();
    await nc?.close();
  });

  const leaseSettings = (store: LeaseStore, instance = newInstanceId()): LeaseSettings => ({
    store, spawnerId: config.spawnerId, instance, ttlMs: 30_000, renewMs: 10_000, pollMs: 50, logger,
  });

  /** The real stores, each call logged in `steps`; `beforeLeaseRead` runs before each read of the lease. */
  function ports(steps: Step[], recordReads: Promise<StoredExecution | undefined>[] = [], beforeLeaseRead = async (): Promise<void> => undefined): RunExecutionPorts {
    const logged: LeaseStore = {
      ...leases,
      create: async (id, lease) => {
        steps.push('lease create');
        const revision = await leases.create(id, lease);
        steps.push('lease created');
        return revision;
      },
      get: async (id) => (await beforeLeaseRead(), steps.push('lease read'), leases.get(id)),
    };
    const functions = kvFunctionSource(nc);
    const readRecord = (id: string): ReturnType<ExecutionStore['get']> => {
      steps.push('record read');
      const read = records.get(id);
      recordReads.push(read);
      return read;
    };
    return {
      store: { ...records, get: readRecord },
      functions: { get: (user, name) => (steps.push('definition read'), functions.get(user, name)) },
      runner: { run: (job) => (steps.push('container run'), runner.run(job)) }, results: natsResultPublisher(nc), policy: config.sandbox, spawnerId: config.spawnerId,
      maxRecordBytes: 512 * 1024, deadlineBeyondTimeoutMs: 10_000, logger, leases: leaseSettings(logged),
    };
  }

  async function deliver(attempt: number, argument: string): Promise<{ outcome: RunOutcome; steps: Step[] }> {
    const published = executionRequest(IMAGES.echo, argument);
    await registerFunction(nc, published);
    const request = incoming(published);
    await records.create(queuedRecordFor(request, new Date()));
    const steps: Step[] = [];
    const outcome = await runExecution(ports(steps), request, { attempt, lastAttempt: false });
    return { outcome, steps };
  }

  it('on attempt 1 starts the record and definition reads before the lease create resolves, and runs with them', async function () {
    this.timeout(60_000);
    const { outcome, steps } = await deliver(1, 'first delivery');
    expect(outcome.kind === 'done' && { ran: outcome.ran, status: outcome.record.status, result: outcome.record.result })
      .to.deep.equal({ ran: true, status: 'succeeded', result: 'first delivery' });
    expect(steps.indexOf('record read'), steps.join(', ')).to.be.within(0, steps.indexOf('lease created'));
    expect(steps.indexOf('definition read'), steps.join(', ')).to.be.within(0, steps.indexOf('lease created'));
    expect(steps.filter((s) => s === 'record read'), 'one record read: the early one was used').to.have.length(1);
  });

  it('on attempt 2 reads the record and the definition only after the lease is created', async function () {
    this.timeout(60_000);
    const { outcome, steps } = await deliver(2, 'redelivery');
    expect(outcome.kind === 'done' && { ran: outcome.ran, result: outcome.record.result }).to.deep.equal({ ran: true, result: 'redelivery' });
    expect(steps.slice(0, 2), steps.join(', ')).to.deep.equal(['lease create', 'lease created']);
    expect(steps.slice(2, 4).sort(), steps.join(', ')).to.deep.equal(['definition read', 'record read']);
  });

  it('on attempt 1 with a lease already there drops the early reads: a record made final meanwhile is re-published, not run', async function () {
    this.timeout(60_000);
    const published = executionRequest(IMAGES.echo, 'must not run');
    await registerFunction(nc, published);
    const request = incoming(published);
    const queued = queuedRecordFor(request, new Date());
    const revision = await records.create(queued);
    // A lease this spawner id's earlier process left (another instance): taken over at once, after a refused create.
    await leases.create(request.id, newLease(leaseSettings(leases), 1));
    const steps: Step[] = [];
    const recordReads: Promise<StoredExecution | undefined>[] = [];
    let stored = false;
    const finalInBetween = async (): Promise<void> => {
      if (stored) return;
      stored = true;
      // The early read has answered `queued`; only then does the earlier run store its final record.
      expect((await Promise.all(recordReads)).map((read) => read?.record.status), 'the early read').to.deep.equal(['queued']);
      const at = new Date().toISOString();
      await records.update({ ...queued, status: 'succeeded', result: 'from the earlier run', exitCode: 0, durationMs: 1, startedAt: at, finishedAt: at }, revision);
    };
    const outcome = await runExecution(ports(steps, recordReads, finalInBetween), request, { attempt: 1, lastAttempt: false });
    expect(outcome.kind === 'done' && { ran: outcome.ran, result: outcome.record.result }).to.deep.equal({ ran: false, result: 'from the earlier run' });
    expect(steps, 'the function did not start again').not.to.include('container run');
    expect(steps.indexOf('record read'), steps.join(', ')).to.be.below(steps.indexOf('lease create'));
    expect(steps.lastIndexOf('record read'), steps.join(', ')).to.be.above(steps.indexOf('lease read'));
  });
});
