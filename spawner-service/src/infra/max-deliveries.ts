import { CONSUMERS, STREAMS, ValidationError, type Logger } from '@faas/common';
import type { JetStreamManager, Msg, NatsConnection, Subscription } from 'nats';
import { parseExecutionRequest, type IncomingExecution } from '../domain/execution-request.js';

/** JetStream announces here when a message of the spawner consumer reached max_deliver. */
export const MAX_DELIVERIES_SUBJECT = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${STREAMS.executions}.${CONSUMERS.spawner}`;
const QUEUE = 'spawner-max-deliveries';
/** An advisory is sent once: when NATS itself is failing over, keep trying for about two minutes. */
const HANDLE_ATTEMPTS = 8;
const HANDLE_BACKOFF_MS = 500;

export interface MaxDeliveriesOptions {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly logger: Logger;
  readonly onAbandoned: (request: IncomingExecution, deliveries: number) => Promise<void>;
}

/**
 * One spawner (queue group) takes each advisory: it finalises the record, then deletes the
 * message, which a work-queue stream would otherwise keep forever.
 */
export function watchMaxDeliveries(options: MaxDeliveriesOptions): Subscription {
  const { jsm, logger } = options;
  async function handle(msg: Msg): Promise<void> {
    const advisory = msg.json<{ stream_seq?: unknown; deliveries?: unknown }>();
    if (typeof advisory.stream_seq !== 'number') return;
    const seq = advisory.stream_seq;
    const deliveries = typeof advisory.deliveries === 'number' ? advisory.deliveries : 0;
    const stored = await jsm.streams.getMessage(STREAMS.executions, { seq });
    try {
      await options.onAbandoned(parseExecutionRequest(stored.data), deliveries);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
    }
    await jsm.streams.deleteMessage(STREAMS.executions, seq);
  }
  async function handleWithRetries(msg: Msg): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await handle(msg);
      } catch (err) {
        if (attempt === HANDLE_ATTEMPTS) throw err;
        logger.warn({ err, attempt }, 'max-deliveries advisory not handled yet; retrying');
        await new Promise((r) => setTimeout(r, HANDLE_BACKOFF_MS * 2 ** (attempt - 1)));
      }
    }
  }
  return options.nc.subscribe(MAX_DELIVERIES_SUBJECT, {
    queue: QUEUE,
    callback: (err, msg) => {
      if (err) return;
      handleWithRetries(msg).catch((e: unknown) => logger.error({ err: e }, 'max-deliveries advisory not handled'));
    },
  });
}
