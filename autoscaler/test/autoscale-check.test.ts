import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Docker from 'dockerode';
import { AckPolicy, connect, type JetStreamManager, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { createLogger } from '@faas/common';
import { TEST_LABEL, captured, eventually, testNatsUrls, uniqueName } from '@faas/testing';
import { createSpawnerMetrics } from '@faas/spawner-service';
import { createAutoscaleCheck } from '../src/domain/autoscale-check.js';
import { jetStreamQueueMetrics } from '../src/infra/queue-metrics.js';
import { dockerServiceScaler } from '../src/infra/service-scaler.js';
import { scrapedSpawnerMetrics } from '../src/infra/spawner-metrics.js';

describe('autoscale check over real NATS, a real /metrics and the real engine', function () {
  this.timeout(60_000);
  const docker = new Docker();
  const service = uniqueName('faas-as-check');
  const stream = uniqueName('ASCHECK').replace('-', '_').toUpperCase();
  const subject = `${stream.toLowerCase()}.exec`;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let server: Server | undefined;
  let metricsUrl = '';

  before(async function () {
    const info = (await docker.info()) as { Swarm?: { ControlAvailable?: boolean } };
    if (!info.Swarm?.ControlAvailable) this.skip();
    nc = await connect({ servers: testNatsUrls() });
    jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subject], num_replicas: 3 });
    await jsm.consumers.add(stream, { durable_name: 'spawner', ack_policy: AckPolicy.Explicit });
    const registry = new Registry();
    createSpawnerMetrics(registry, 5);
    server = createServer((_req, res) => void registry.metrics().then((text) => res.end(text)));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A service whose tasks can never be placed: its spec changes, and no container runs.
    await docker.createService({
      Name: service,
      Labels: { [TEST_LABEL]: '1' },
      TaskTemplate: { ContainerSpec: { Image: 'faas-as-never:latest' }, Placement: { Constraints: ['node.labels.faas-as-never==true'] } },
      Mode: { Replicated: { Replicas: 1 } },
    });
  });

  after(async () => {
    server?.close();
    await docker.getService(service).remove().catch(() => undefined);
    await jsm?.streams.delete(stream).catch(() => undefined);
    await nc?.close();
  });

  it('scales up on a backlog, holds in the band, scales back down when idle, and logs each decision with its inputs', async () => {
    const log = captured();
    const check = createAutoscaleCheck({
      policy: { min: 1, max: 3, upThreshold: 0.8, downThreshold: 0.3, upCooldownMs: 60_000, downCooldownMs: 0 },
      queue: jetStreamQueueMetrics(jsm, { stream, consumer: 'spawner' }),
      spawners: scrapedSpawnerMetrics(async () => [metricsUrl], 2_000),
      scaler: dockerServiceScaler(docker, service),
      defaultSlots: 1,
      logger: createLogger('autoscaler', 'info', log.stream),
    });
    const js = nc.jetstream();
    for (let i = 0; i < 7; i += 1) await js.publish(subject, `request ${i}`);
    // The same lag as after the purge below: the stream's leader acks a publish before the
    // consumer's leader counts it (the first check once read 6 pending of 7).
    const pendingIs = (n: number) => async () => ((await jsm.consumers.info(stream, 'spawner')).num_pending === n ? true : undefined);
    await eventually(pendingIs(7), 10_000, 50);
    const scaler = dockerServiceScaler(docker, service);

    expect(await check()).to.include({ action: 'up', from: 1, to: 3, reason: 'load-high' });
    expect(await scaler.replicas()).to.equal(3);
    expect(await check()).to.include({ action: 'hold', reason: 'in-band' });
    await jsm.streams.purge(stream);
    // The purge answers once the stream's leader applied it; the consumer's count comes from its
    // own leader, maybe another server that applies the purge a moment later (this check once
    // held at 3 replicas: 'hold' on the old count). The autoscaler acts on what JetStream reports.
    await eventually(pendingIs(0), 10_000, 50);
    expect(await check()).to.include({ action: 'down', from: 3, to: 1, reason: 'load-low' });
    expect(await scaler.replicas()).to.equal(1);

    const decisions = log.lines.filter((l) => l.msg === 'autoscale decision');
    expect(decisions).to.have.length(3);
    expect(decisions[0]).to.deep.include({
      check: 1,
      inputs: { replicas: 1, pending: 7, ackPending: 0, busy: 0, slotsPerSpawner: 5 },
      spawners: { answered: 1, unreachable: 0 },
    });
    expect(decisions[0]?.decision).to.include({ action: 'up', demand: 7, utilisation: 1.4, target: 3 });
    expect(decisions[2]?.inputs).to.deep.equal({ replicas: 3, pending: 0, ackPending: 0, busy: 0, slotsPerSpawner: 5 });
  });

  it('does nothing, and says so, when the queue cannot be read', async () => {
    const log = captured();
    const check = createAutoscaleCheck({
      policy: { min: 1, max: 3, upThreshold: 0.8, downThreshold: 0.3, upCooldownMs: 0, downCooldownMs: 0 },
      queue: jetStreamQueueMetrics(jsm, { stream, consumer: 'nobody' }),
      spawners: scrapedSpawnerMetrics(async () => [metricsUrl], 2_000),
      scaler: dockerServiceScaler(docker, service),
      defaultSlots: 1,
      logger: createLogger('autoscaler', 'info', log.stream),
    });
    expect(await check()).to.equal(undefined);
    expect(log.lines.map((l) => l.msg)).to.deep.equal(['autoscale check skipped: queue metrics or service unavailable']);
    expect(await dockerServiceScaler(docker, service).replicas()).to.equal(1);
  });
});
