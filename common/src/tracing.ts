import { ROOT_CONTEXT, SpanStatusCode, isSpanContextValid, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Logger } from './logger.js';

export { SpanKind } from '@opentelemetry/api';
export type { Context, Span, Tracer };

export interface TracingSettings {
  readonly serviceName: string;
  /** The OTLP/HTTP traces URL; absent: no exporter exists and nothing is sent. */
  readonly tracesUrl?: string;
}

export interface Tracing {
  readonly tracer: Tracer;
  readonly exporting: boolean;
  /** Sends the spans still buffered, then stops exporting (call once, at shutdown). */
  shutdown(): Promise<void>;
}

/**
 * One tracer provider per service, no global registration: tracers travel as dependencies and
 * contexts are passed explicitly. Without a URL the provider still makes trace and span ids (a
 * record's trace id, the traceparent sent on) but has no span processor, so nothing leaves.
 */
export function startTracing(settings: TracingSettings, logger: Logger): Tracing {
  const url = settings.tracesUrl;
  const spanProcessors = url ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })] : [];
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': settings.serviceName }), spanProcessors });
  if (url) logger.info({ tracesUrl: url, serviceName: settings.serviceName }, 'exporting traces over OTLP/HTTP');
  return {
    tracer: provider.getTracer(settings.serviceName),
    exporting: url !== undefined,
    shutdown: () => provider.shutdown().catch((err: unknown) => logger.warn({ err }, 'trace export at shutdown failed')),
  };
}

/** A tracer that records nothing and makes no ids of its own (it passes a parent's context on). */
export function noopTracer(): Tracer {
  return trace.getTracer('faas-noop');
}

/** W3C trace-context headers: `traceparent` and `tracestate`. */
export type TraceHeaders = Readonly<Record<string, string>>;

const propagator = new W3CTraceContextPropagator();
const getter = {
  keys: (carrier: Readonly<Record<string, string | undefined>>) => Object.keys(carrier),
  get: (carrier: Readonly<Record<string, string | undefined>>, key: string) => carrier[key],
};

/** The context a `traceparent` carries; the root context (a new trace) when it is absent or malformed. */
export function contextFromHeaders(headers: Readonly<Record<string, string | undefined>>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, getter);
}

/** The `traceparent` (and `tracestate`) that makes `span` the parent of whatever receives them. */
export function headersFor(span: Span): TraceHeaders {
  const carrier: Record<string, string> = {};
  propagator.inject(contextOf(span), carrier, { set: (c, key, value) => (c[key] = value) });
  return carrier;
}

/** A context whose active span is `span`: pass it as the parent of a child span. */
export function contextOf(span: Span): Context {
  return trace.setSpan(ROOT_CONTEXT, span);
}

/** The span's trace id, or undefined for a span that belongs to no trace (a no-op tracer's, without a parent). */
export function traceIdOf(span: Span): string | undefined {
  const context = span.spanContext();
  return isSpanContextValid(context) ? context.traceId : undefined;
}

/** Ends a span, marked as an error when `err` is given. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
  span.end();
}
