import { connectNats, createLogger } from '@faas/common';
import { eventually, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { AckPolicy, nanos, type JsMsg, type NatsConnection } from 'nats';
import { startConsumerLoop } from '../src/infra/consumer-loop.js';

/**
 * The loop on a stream of its own: messages keep arriving while it stops. Every message must end
 * acked (handled) or handed back (nak): none may sit unacknowledged until ack_wait (a minute
 * here), which is what a message does when it reaches a fetch the loop already gave up on.
 */
describe('spawner: the consumer loop stopping while messages arrive', function () {
  this.timeout(60_000);
  let nc: NatsConnection;
  const stream = uniqueName('LOOPSTOP').replace(/[^A-Za-z0-9_]/g, '_');
  const subject = `loopstop.${stream}`;

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'consumer-loop-stop-test', logger: createLogger('loop-test', 'silent') });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subject], num_replicas: 3 });
    await jsm.consumers.add(stream, { durable_name: 'loop', ack_policy: AckPolicy.Explicit, ack_wait: nanos(60_000), max_deliver: -1 });
  });
  after(async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('hands back (nak) what it fetched but will not run, and leaves nothing waiting for ack_wait', async () => {
    const js = nc.jetstream();
    const consumer = await js.consumers.get(stream, 'loop');
    let handled = 0;
    let firstHandled: () => void = () => undefined;
    const started = new Promise<void>((r) => (firstHandled = r));
    const loop = startConsumerLoop({
      consumer, maxContainers: 500, heartbeatMs: 5_000, heartbeatForMs: 60_000, onBusyChange: () => undefined,
      logger: createLogger('loop-test', 'silent'),
      handle: async (msg: JsMsg) => {
        handled += 1;
        firstHandled();
        msg.ack();
      },
    });
    const total = 400;
    // All at once: messages are in flight to the loop's fetch at the moment it stops.
    const publishing = Promise.all(Array.from({ length: total }, (_, i) => js.publish(subject, String(i))));
    await started;
    await loop.stop(5_000);
    await publishing;
    // Another spawner: what the loop handed back reaches it at once, a dropped message only after ack_wait.
    let taken = 0;
    let mostDeliveries = 0;
    await eventually(async () => {
      const batch = await consumer.fetch({ max_messages: total, expires: 1_000 });
      for await (const msg of batch) {
        taken += 1;
        mostDeliveries = Math.max(mostDeliveries, msg.info.deliveryCount);
        msg.ack();
      }
      return handled + taken >= total ? true : undefined;
    }, 20_000, 10);
    expect(handled + taken).to.equal(total);
    // Handed back once, not bounced between nak and the still-open fetch (each bounce spends a delivery).
    expect(mostDeliveries, 'deliveries of a handed-back message').to.be.at.most(2);
  });
});
