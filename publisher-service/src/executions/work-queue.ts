import { NATS_TRY_TIMEOUT_MS, SUBJECTS, isPassingFault, TooLargeError, messageHeaders, type ExecutionRecord, type ExecutionRequest, type Logger, type MessageContext } from '@faas/common';
import type { NatsConnection, Subscription } from 'nats';

export interface ResultWait {
  /** The final record, or undefined when `timeoutMs` passes or `stop` aborts first. */
  result(timeoutMs: number, stop?: AbortSignal): Promise<ExecutionRecord | undefined>;
  cancel(): void;
}

export interface WorkQueue {
  /** `context`: the request id and trace context, sent in the message headers. */
  publish(request: ExecutionRequest, context?: MessageContext): Promise<void>;
  /** TooLargeError (413) when the request would not fit in one NATS message: checked before anything is written. */
  assertFits?(request: ExecutionRequest): void;
  /** Subscribes now (before publishing) so a fast result cannot be missed. */
  waitForResult(executionId: string, fallback: () => Promise<ExecutionRecord | undefined>): ResultWait;
}

/** Room left in a message for the headers (msg id, request id) the publish adds. */
const HEADER_ROOM_BYTES = 4_096;

/** The largest execution request one message of this server carries (NATS max_payload, 1 MiB by default). */
export function maxRequestBytes(nc: NatsConnection): number {
  return (nc.info?.max_payload ?? 1_048_576) - HEADER_ROOM_BYTES;
}

/** The result topic is core NATS (fire and forget), so a waiter also polls the KV record now and then. */
const FALLBACK_POLL_MS = 2_000;

export function createWorkQueue(nc: NatsConnection): WorkQueue {
  const js = nc.jetstream({ timeout: NATS_TRY_TIMEOUT_MS });
  return {
    async publish(request, context) {
      const headers = context ? { headers: messageHeaders(context) } : {};
      await js.publish(SUBJECTS.exec(request.userId), JSON.stringify(request), { msgID: request.id, ...headers });
    },
    assertFits(request) {
      const limit = maxRequestBytes(nc);
      const bytes = Buffer.byteLength(JSON.stringify(request), 'utf8');
      if (bytes > limit) throw new TooLargeError(`the execution request is ${bytes} bytes encoded (argument, env, inputs); one message holds at most ${limit}`);
    },
    waitForResult(executionId, fallback) {
      const sub: Subscription = nc.subscribe(SUBJECTS.result(executionId), { max: 1 });
      const arrived = (async () => {
        for await (const msg of sub) return msg.json<ExecutionRecord>();
        return undefined;
      })();
      return {
        async result(timeoutMs, stop) {
          const deadline = Date.now() + timeoutMs;
          let onStop = (): void => undefined;
          const stopped = new Promise<undefined>((r) => (onStop = () => r(undefined)));
          stop?.addEventListener('abort', onStop, { once: true });
          try {
            while (Date.now() < deadline && !stop?.aborted) {
              const slice = Math.min(FALLBACK_POLL_MS, deadline - Date.now());
              const record = await Promise.race([arrived, stopped, new Promise<undefined>((r) => setTimeout(() => r(undefined), slice))]);
              if (stop?.aborted) break;
              if (record) return record;
              // A look at the record in case the result message was lost; a passing fault there
              // (an election, a route to a vanished node) is no answer, not a failed wait.
              const stored = await fallback().catch((err: unknown) => {
                if (isPassingFault(err)) return undefined;
                throw err;
              });
              if (stored) return stored;
            }
            return undefined;
          } finally {
            stop?.removeEventListener('abort', onStop);
            sub.unsubscribe();
          }
        },
        cancel: () => sub.unsubscribe(),
      };
    },
  };
}

/**
 * One publisher replica (queue group) sees each final result: it releases the quota hold and
 * sends the callback, whichever replica accepted the execution.
 */
export function subscribeResults(
  nc: NatsConnection,
  logger: Logger,
  onResult: (record: ExecutionRecord) => Promise<void>,
): Subscription {
  return nc.subscribe(SUBJECTS.result('*'), {
    queue: 'publisher-results',
    callback: (err, msg) => {
      if (err) return logger.warn({ err }, 'result subscription error');
      let record: ExecutionRecord;
      try {
        record = msg.json<ExecutionRecord>();
      } catch (parseErr) {
        return logger.warn({ err: parseErr, subject: msg.subject }, 'malformed result message ignored');
      }
      onResult(record).catch((handlerErr: unknown) => logger.error({ err: handlerErr, executionId: record.id }, 'result handling failed'));
    },
  });
}
