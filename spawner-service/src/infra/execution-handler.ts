import { SUBJECTS, ValidationError, noopTracer, readMessageContext, type ExecutionRecord, type Logger, type Tracer } from '@faas/common';
import type { JsMsg, NatsConnection } from 'nats';
import { parseExecutionRequest } from '../domain/execution-request.js';
import type { ResultPublisher } from '../domain/ports.js';
import { runExecution, type RunExecutionPorts } from '../domain/run-execution.js';
import { observeDelivery } from './execution-observer.js';
import type { SpawnerMetrics } from './spawner-metrics.js';

export interface HandlerOptions {
  readonly ports: RunExecutionPorts;
  /** The consumer's max_deliver; -1 or 0: unlimited. */
  readonly maxDeliver: number;
  readonly nakDelayMs: number;
  readonly metrics: SpawnerMetrics;
  readonly logger: Logger;
  /** Makes the spawner's spans (docs/tracing.md); absent: a no-op tracer. */
  readonly tracer?: Tracer;
}

export function natsResultPublisher(nc: NatsConnection): ResultPublisher {
  return {
    async publish(record: ExecutionRecord) {
      nc.publish(SUBJECTS.result(record.id), JSON.stringify(record));
    },
  };
}

/** A nak delay never grows past this. */
const MAX_NAK_DELAY_MS = 60_000;

/**
 * Passing faults back off exponentially (delay, 2x, 4x, ...): a fixed delay let a few seconds of
 * NATS leader election use up every delivery, and JetStream then gave the execution up.
 */
export function nakDelayFor(baseMs: number, attempt: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), Math.max(baseMs, MAX_NAK_DELAY_MS));
}

/** Translates the use case's outcome into JetStream acks: term, nak with delay, or ack. */
export function createExecutionHandler(options: HandlerOptions): (msg: JsMsg, handedBack?: AbortSignal) => Promise<void> {
  const { metrics, logger } = options;
  const tracer = options.tracer ?? noopTracer();
  return async (msg, handedBack) => {
    let request;
    try {
      request = parseExecutionRequest(msg.data);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      logger.warn({ subject: msg.subject, seq: msg.seq, reason: err.message }, 'malformed execution request terminated');
      metrics.rejected.inc({ reason: 'malformed' });
      msg.term(err.message);
      return;
    }
    const attempt = msg.info.redeliveryCount;
    const lastAttempt = options.maxDeliver > 0 && attempt >= options.maxDeliver;
    // The request id from the message headers goes into every log line of this delivery.
    const context = readMessageContext(msg.headers);
    const requestId = context.requestId ? { requestId: context.requestId } : {};
    const log = logger.child({ executionId: request.id, image: request.image, attempt, ...requestId });
    const ports = context.requestId ? { ...options.ports, logger: options.ports.logger.child(requestId) } : options.ports;
    const observed = observeDelivery({ tracer, metrics, msg, request, context, ports });
    const delayMs = nakDelayFor(options.nakDelayMs, attempt);
    try {
      const outcome = await runExecution(observed.ports, request, { attempt, lastAttempt, ...(handedBack ? { handedBack } : {}) });
      observed.finish(outcome);
      if (outcome.kind === 'handed-back') {
        log.warn('shutdown grace over: execution handed back for another spawner, no record stored');
        return;
      }
      if (outcome.kind === 'retry') {
        log.warn({ reason: outcome.reason, delayMs }, 'passing fault: execution handed back for a later attempt');
        metrics.rejected.inc({ reason: 'retry' });
        msg.nak(delayMs);
        return;
      }
      const { record } = outcome;
      await msg.ackAck().catch((err: unknown) => log.warn({ err }, 'ack not confirmed'));
      if (!outcome.ran) return;
      log.info({ status: record.status, durationMs: record.durationMs, exitCode: record.exitCode, truncated: record.truncated, error: record.error }, 'execution finished');
    } catch (err) {
      observed.fail(err);
      if (handedBack?.aborted) return;
      log.error({ err, delayMs }, 'execution failed before its record was final; retrying later');
      metrics.rejected.inc({ reason: 'retry' });
      msg.nak(delayMs);
    }
  };
}
