import { CONSUMERS, STREAMS, type Logger } from '@faas/common';
import type { JetStreamManager } from 'nats';
import { Gauge, type Registry } from 'prom-client';

/** A scrape never waits longer than this on JetStream; the gauge then keeps its last figures. */
const READ_TIMEOUT_MS = 2_000;

/**
 * `faas_executions_queue_depth{state}`: the shared consumer's pending (not yet delivered) and
 * ack-pending (delivered, not yet acked) counts, read from JetStream at each scrape. Every spawner
 * reports the same cluster-wide figures: aggregate them with max(), not sum().
 */
export function registerQueueDepth(registry: Registry, jsm: JetStreamManager, logger: Logger): void {
  new Gauge({
    name: 'faas_executions_queue_depth',
    help: 'EXECUTIONS stream, spawner consumer: pending (waiting for a spawner) and ack_pending (taken, not yet acked)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no consumer info within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
      });
      try {
        const info = await Promise.race([jsm.consumers.info(STREAMS.executions, CONSUMERS.spawner), timeout]);
        this.set({ state: 'pending' }, info.num_pending);
        this.set({ state: 'ack_pending' }, info.num_ack_pending);
      } catch (err) {
        logger.debug({ err }, 'queue depth not read: the gauge keeps its last figures');
      } finally {
        clearTimeout(timer);
      }
    },
  });
}
