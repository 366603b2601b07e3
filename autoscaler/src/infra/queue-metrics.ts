import { CONSUMERS, STREAMS, UnavailableError } from '@faas/common';
import type { JetStreamManager } from 'nats';
import type { QueueMetrics } from '../domain/ports.js';

export interface ConsumerName {
  readonly stream: string;
  readonly consumer: string;
}

/** The durable consumer's counts from JetStream's consumer info (one request per check). */
export function jetStreamQueueMetrics(
  jsm: JetStreamManager,
  name: ConsumerName = { stream: STREAMS.executions, consumer: CONSUMERS.spawner },
): QueueMetrics {
  return {
    async depth() {
      try {
        const info = await jsm.consumers.info(name.stream, name.consumer);
        return { pending: info.num_pending, ackPending: info.num_ack_pending };
      } catch (err) {
        throw new UnavailableError(`consumer ${name.stream}/${name.consumer}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    },
  };
}
