import { connectNats, createExecutionStore, createLogger, openExecutionsBucket, type ExecutionRecord, type ExecutionStore } from '@faas/common';
import { FUNCTION_SCRIPTS } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import { loadSpawnerConfig, type SpawnerConfig } from '../src/config.js';
import { parseExecutionRequest, type IncomingExecution } from '../src/domain/execution-request.js';
import { newInstanceId, type LeaseSettings } from '../src/domain/execution-lease.js';
import { runExecution, type RunExecutionPorts } from '../src/domain/run-execution.js';
import { queuedRecordFor } from '../src/domain/records.js';
import { createDockerRunner, type DockerRunner } from '../src/infra/docker-runner.js';
import { natsResultPublisher } from '../src/infra/execution-handler.js';
import { kvFunctionSource } from '../src/infra/function-source.js';
import { kvLeaseStore, openLeaseBucket } from '../src/infra/lease-store.js';
import { IMAGES, buildImages, docker, executionRequest, registerFunction, testSpawnerEnv } from './helpers.js';

const incoming = (request: object): IncomingExecution => parseExecutionRequest(new TextEncoder().encode(JSON.stringify(request)));

/**
 * The publisher writes the `queued` record beside the publish (docs/execution-path.md), so a
 * spawner may get the message first. It then builds the same record from the message (traceId and
 * http travel in it) and its final write creates it, or updates the publisher's if that landed.
 */
describe('spawner: a message that comes before its record', () => {
  let nc: NatsConnection;
  let records: ExecutionStore;
  let runner: DockerRunner;
  let config: SpawnerConfig;
  let leases: LeaseSettings;
  const logger = createLogger('record-after-message-test', 'silent');
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const http = { method: 'POST', path: '/orders/7' };

  before(async function () {
    this.timeout(120_000);
    config = loadSpawnerConfig(testSpawnerEnv());
    await buildImages({ [IMAGES.echo]: FUNCTION_SCRIPTS.echo });
    nc = await connectNats({ servers: config.natsUrls, name: 'record-after-message-test', logger });
    records = createExecutionStore(await openExecutionsBucket(nc, 3, { leaderReads: true }));
    runner = createDockerRunner({ docker, sandbox: config.sandbox, spawnerId: config.spawnerId, logger });
    const store = kvLeaseStore(await openLeaseBucket(nc, 3, logger));
    leases = { store, spawnerId: config.spawnerId, instance: newInstanceId(), ttlMs: 30_000, renewMs: 10_000, pollMs: 50, logger };
  });
  after(async () => {
    await runner?.close();
    await nc?.close();
  });

  const ports = (store: ExecutionStore): RunExecutionPorts => ({
    store, functions: kvFunctionSource(nc), runner, results: natsResultPublisher(nc), policy: config.sandbox, spawnerId: config.spawnerId,
    maxRecordBytes: 512 * 1024, deadlineBeyondTimeoutMs: 10_000, logger, leases,
  });

  async function message(argument: string): Promise<IncomingExecution> {
    const published = executionRequest(IMAGES.echo, argument, { traceId, http });
    await registerFunction(nc, published);
    return incoming(published);
  }

  /** What is left of a record once the run's own fields are set aside: the queued record's part. */
  const queuedPart = (record: ExecutionRecord | undefined) => record && {
    id: record.id, user: record.user, function: record.function, queuedAt: record.queuedAt, traceId: record.traceId,
    http: record.http && { method: record.http.method, path: record.http.path },
  };

  it('runs it, and its final write creates the record with the fields the publisher would have written', async function () {
    this.timeout(60_000);
    const request = await message('no record yet');
    const outcome = await runExecution(ports(records), request, { attempt: 1, lastAttempt: false });
    expect(outcome.kind === 'done' && { ran: outcome.ran, status: outcome.record.status }).to.deep.equal({ ran: true, status: 'succeeded' });
    const stored = (await records.get(request.id))?.record;
    expect(stored?.result).to.equal('no record yet');
    expect(queuedPart(stored)).to.deep.equal(queuedPart(queuedRecordFor(request, new Date())));
    expect(stored?.traceId).to.equal(traceId);
    expect(stored?.http?.path).to.equal(http.path);
    expect(stored?.http?.status, 'the HTTP status the record answers with').to.be.a('number');
  });

  it('updates the publisher\'s record when it lands between the spawner\'s read and its final write', async function () {
    this.timeout(60_000);
    const request = await message('record in between');
    // As the publisher writes it (queued-record.ts): with the trace id and the HTTP request.
    const publishers: ExecutionRecord = { ...queuedRecordFor(request, new Date()), traceId, http };
    let readsAnswered = 0;
    // The publisher's create lands right after the spawner's read found nothing.
    const store: ExecutionStore = {
      ...records,
      get: async (id) => {
        const read = await records.get(id);
        if (id === request.id && readsAnswered++ === 0) {
          expect(read, 'the spawner read before the publisher wrote').to.equal(undefined);
          await records.create(publishers);
        }
        return read;
      },
    };
    const outcome = await runExecution(ports(store), request, { attempt: 1, lastAttempt: false });
    expect(outcome.kind === 'done' && outcome.record.result).to.equal('record in between');
    const stored = await records.get(request.id);
    expect(stored?.record.status).to.equal('succeeded');
    expect(queuedPart(stored?.record)).to.deep.equal(queuedPart(publishers));
  });
});
