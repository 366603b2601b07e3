import { connect, type JetStreamManager, type NatsConnection, AckPolicy } from 'nats';
import { expect } from 'chai';
import { eventually, rejection, testNatsUrls, uniqueName } from '@faas/testing';
import { jetStreamQueueMetrics } from '../src/infra/queue-metrics.js';

describe('queue metrics from JetStream (real 3-node cluster)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const stream = uniqueName('AS').replace('-', '_').toUpperCase();
  const subject = `${stream.toLowerCase()}.exec`;
  const consumer = 'spawner';

  before(async () => {
    nc = await connect({ servers: testNatsUrls() });
    jsm = await nc.jetstreamManager();
    // A stream and durable consumer of this test's own, shaped as EXECUTIONS and its spawner consumer.
    await jsm.streams.add({ name: stream, subjects: [subject], num_replicas: 3 });
    await jsm.consumers.add(stream, { durable_name: consumer, ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
  });

  after(async () => {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('counts requests not taken yet as pending and delivered unacked ones as ack-pending', async () => {
    const queue = jetStreamQueueMetrics(jsm, { stream, consumer });
    expect(await queue.depth()).to.deep.equal({ pending: 0, ackPending: 0 });
    const js = nc.jetstream();
    for (let i = 0; i < 7; i += 1) await js.publish(subject, `request ${i}`);
    await eventually(async () => ((await queue.depth()).pending === 7 ? true : undefined));
    expect(await queue.depth()).to.deep.equal({ pending: 7, ackPending: 0 });

    const taken = [];
    const pull = await (await js.consumers.get(stream, consumer)).fetch({ max_messages: 3, expires: 5_000 });
    for await (const msg of pull) taken.push(msg);
    expect(taken).to.have.length(3);
    expect(await queue.depth()).to.deep.equal({ pending: 4, ackPending: 3 });

    for (const msg of taken) await msg.ackAck();
    await eventually(async () => ((await queue.depth()).ackPending === 0 ? true : undefined));
    expect(await queue.depth()).to.deep.equal({ pending: 4, ackPending: 0 });
  });

  it('reports a consumer that does not exist as unavailable', async () => {
    const err = await rejection(jetStreamQueueMetrics(jsm, { stream, consumer: 'nobody' }).depth());
    expect(err.code).to.equal('UNAVAILABLE');
    expect(err.message).to.contain(`${stream}/nobody`);
  });
});
