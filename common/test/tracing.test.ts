import { ConfigError, contextFromHeaders, createLogger, headersFor, messageHeaders, parseConfig, readMessageContext, startTracing, traceIdOf, tracingEnvShape, tracingSettingsFrom } from '../src/index.js';
import { trace } from '@opentelemetry/api';
import { expect } from 'chai';
import { z } from 'zod';

const logger = createLogger('tracing-test', 'silent');
const tracingEnv = z.object(tracingEnvShape);

describe('tracing settings', () => {
  it('sends traces to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces, and the traces endpoint wins when both are set', () => {
    expect(tracingSettingsFrom(parseConfig(tracingEnv, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }), 'svc')).to.deep.equal({
      serviceName: 'svc',
      tracesUrl: 'http://collector:4318/v1/traces',
    });
    const both = parseConfig(tracingEnv, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp/v1/traces',
      OTEL_SERVICE_NAME: 'named',
    });
    expect(tracingSettingsFrom(both, 'svc')).to.deep.equal({ serviceName: 'named', tracesUrl: 'https://traces.example/otlp/v1/traces' });
  });

  it('treats an unset or empty endpoint as no export at all', () => {
    expect(tracingSettingsFrom(parseConfig(tracingEnv, {}), 'svc')).to.deep.equal({ serviceName: 'svc' });
    expect(tracingSettingsFrom(parseConfig(tracingEnv, { OTEL_EXPORTER_OTLP_ENDPOINT: '' }), 'svc')).to.deep.equal({ serviceName: 'svc' });
  });

  it('refuses an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(() => parseConfig(tracingEnv, { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.includes('OTEL_EXPORTER_OTLP_ENDPOINT');
  });
});

describe('tracing without an endpoint', () => {
  it('makes no exporter, yet gives spans real trace ids and a traceparent a receiver can continue', async () => {
    const tracing = startTracing({ serviceName: 'svc' }, logger);
    expect(tracing.exporting).to.equal(false);
    const span = tracing.tracer.startSpan('accept');
    const traceId = traceIdOf(span);
    expect(traceId).to.match(/^[0-9a-f]{32}$/);
    const headers = headersFor(span);
    expect(headers.traceparent).to.equal(`00-${traceId}-${span.spanContext().spanId}-01`);
    const continued = trace.getSpanContext(contextFromHeaders(headers));
    expect(continued).to.include({ traceId, spanId: span.spanContext().spanId, isRemote: true });
    span.end();
    await tracing.shutdown();
  });

  it('starts a new trace when the traceparent is malformed', () => {
    expect(trace.getSpanContext(contextFromHeaders({ traceparent: '00-zz-nope-01' }))).to.equal(undefined);
  });
});

describe('message context (NATS headers)', () => {
  it('round-trips the request id and trace headers', () => {
    const trace = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, tracestate: 'vendor=1' };
    expect(readMessageContext(messageHeaders({ requestId: 'req-1', trace }))).to.deep.equal({ requestId: 'req-1', trace });
  });

  it('leaves out a request id that could forge log fields', () => {
    const hdrs = messageHeaders({});
    hdrs.set('x-request-id', 'a b {"level":60}');
    expect(readMessageContext(hdrs)).to.deep.equal({ trace: {} });
    expect(readMessageContext(undefined)).to.deep.equal({});
  });
});
