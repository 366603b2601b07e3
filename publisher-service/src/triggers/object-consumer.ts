import { BUCKETS, CONSUMERS, type Logger } from '@faas/common';
import type { JsMsg, NatsConnection } from 'nats';
import { consumeDurable } from './durable-consumer.js';
import { objectChangeOf, type ObjectChange, type ObjectMeta, type ObjectSource } from './object-events.js';

const STORES: ReadonlyArray<{ source: ObjectSource; bucket: string }> = [
  { source: 'uploads', bucket: BUCKETS.objects },
  { source: 'outputs', bucket: BUCKETS.outputs },
];

function changeOf(source: ObjectSource, stream: string, msg: JsMsg): ObjectChange | undefined {
  try {
    return objectChangeOf(source, msg.json<ObjectMeta>(), { id: `${stream}:${msg.seq}`, timeMs: Math.floor(msg.info.timestampNanos / 1e6) });
  } catch {
    return undefined; // not JSON: nothing an object trigger can fire on
  }
}

/**
 * Object triggers follow the object stores themselves, not the upload handler: every store or
 * delete of an object writes one message on its meta subject (`$O.<bucket>.M.<name>`), whoever
 * made it. One durable consumer per store, shared by the publisher replicas and filtered to the
 * meta subjects (never the chunks), hands each change to one publisher.
 */
export async function consumeObjectChanges(nc: NatsConnection, logger: Logger, onChange: (change: ObjectChange) => Promise<void>): Promise<{ stop(): void }> {
  const consumers = await Promise.all(
    STORES.map(({ source, bucket }) => {
      const stream = `OBJ_${bucket}`;
      const what = `object trigger from ${source}`;
      return consumeDurable(nc, { stream, durable: CONSUMERS.publisherObjects, filterSubject: `$O.${bucket}.M.>`, what }, logger, async (msg) => {
        const change = changeOf(source, stream, msg);
        if (change) await onChange(change);
      });
    }),
  );
  return { stop: () => consumers.forEach((c) => c.stop()) };
}
