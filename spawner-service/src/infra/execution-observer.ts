import { SpanKind, contextFromHeaders, contextOf, endSpan, type MessageContext, type Span, type Tracer } from '@faas/common';
import type { ExecutionRecord } from '@faas/common';
import type { JsMsg } from 'nats';
import type { IncomingExecution } from '../domain/execution-request.js';
import type { ContainerRunner, ResultPublisher, RunPhase } from '../domain/ports.js';
import type { RunExecutionPorts, RunOutcome } from '../domain/run-execution.js';
import type { SpawnerMetrics } from './spawner-metrics.js';

export interface ObserveOptions {
  readonly tracer: Tracer;
  readonly metrics: SpawnerMetrics;
  readonly msg: JsMsg;
  readonly request: IncomingExecution;
  readonly context: MessageContext;
  readonly ports: RunExecutionPorts;
}

/** One delivery, traced and counted. */
export interface ObservedDelivery {
  /** The ports to run it with: the runner and the result publisher make their spans. */
  readonly ports: RunExecutionPorts;
  finish(outcome: RunOutcome): void;
  fail(err: unknown): void;
}

/**
 * Spans under the publisher's (from the message's traceparent): `queue wait` (stored on the stream
 * until this delivery) and `execute`, with `container start` (pull, create, start), `container run`
 * and `result` (the final record stored and published) inside it. Also the queue-wait histogram,
 * and the executions counter and run histogram by status and capped function label.
 */
export function observeDelivery(options: ObserveOptions): ObservedDelivery {
  const { tracer, metrics, msg, request } = options;
  const parent = contextFromHeaders(options.context.trace ?? {});
  const fn = metrics.functionLabel(request.function, request.userId);
  const attributes = {
    'faas.execution.id': request.id, 'faas.function': request.function, 'faas.attempt': msg.info.redeliveryCount,
    'messaging.system': 'nats', 'messaging.destination.name': msg.subject,
  };
  const storedAtMs = msg.info.timestampNanos / 1e6;
  const now = Date.now();
  tracer.startSpan('queue wait', { kind: SpanKind.CONSUMER, startTime: Math.min(storedAtMs, now), attributes }, parent).end(now);
  if (msg.info.redeliveryCount === 1) metrics.queueWaitSeconds.observe({ function: fn }, Math.max(0, now - storedAtMs) / 1000);
  const span = tracer.startSpan('execute', { kind: SpanKind.CONSUMER, attributes }, parent);
  const traced = tracedRun(tracer, span, options.ports.runner);
  const results: ResultPublisher = {
    async publish(record) {
      const result = tracer.startSpan('result', { startTime: traced.endedAt() ?? Date.now(), attributes: { 'faas.execution.status': record.status } }, contextOf(span));
      try {
        await options.ports.results.publish(record);
        endSpan(result);
      } catch (err) {
        endSpan(result, err);
        throw err;
      }
    },
  };
  const counted = (record: ExecutionRecord): void => {
    metrics.executions.inc({ status: record.status, function: fn });
    if (record.durationMs !== null) metrics.runSeconds.observe({ status: record.status, function: fn }, record.durationMs / 1000);
  };
  return {
    // Counted before the result is published: a client's scrape after its answer sees its run.
    ports: { ...options.ports, runner: traced.runner, results, onFinal: counted },
    finish(outcome) {
      span.setAttribute('faas.outcome', outcome.kind);
      if (outcome.kind === 'done') {
        const { record } = outcome;
        span.setAttributes({ 'faas.execution.status': record.status, ...(record.exitCode === null ? {} : { 'faas.exit_code': record.exitCode }) });
      }
      endSpan(span, outcome.kind === 'done' && outcome.record.status === 'error' ? outcome.record.error ?? 'error' : undefined);
    },
    fail: (err) => endSpan(span, err),
  };
}

/**
 * The runner, with a `container start` span (image, create and start phases as its events) until
 * the run phase, then a `container run` span until clean-up begins (or the runner returns).
 */
function tracedRun(tracer: Tracer, parent: Span, inner: ContainerRunner): { runner: ContainerRunner; endedAt(): number | undefined } {
  let endedAt: number | undefined;
  const runner: ContainerRunner = {
    async run(job) {
      const inside = contextOf(parent);
      const starting = tracer.startSpan('container start', { attributes: { 'container.image.name': job.image } }, inside);
      let running: Span | undefined;
      let open: Span | undefined = starting;
      const onPhase = (phase: RunPhase): void => {
        job.onPhase?.(phase);
        if (phase === 'run' && !running) {
          starting.end();
          open = running = tracer.startSpan('container run', {}, inside);
        } else if (phase === 'cleanup') {
          open?.end();
          open = undefined;
        } else if (!running) starting.addEvent(phase);
      };
      try {
        const outcome = await inner.run({ ...job, onPhase });
        if (open) endSpan(open);
        return outcome;
      } catch (err) {
        if (open) endSpan(open, err);
        throw err;
      } finally {
        endedAt = Date.now();
      }
    },
  };
  return { runner, endedAt: () => endedAt };
}
