import { randomBytes } from 'node:crypto';
import { eventually, request } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { IMAGES, buildImages, capturingLogger, finalExecution, newFunction, newUser, startTestPlatform, type Execution, type TestUser } from './helpers.js';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

const SPAN_NAMES = ['accept', 'queue wait', 'execute', 'container start', 'container run', 'result'] as const;
const SERVER = 2;
const CONSUMER = 5;

/** The spans of one trace, once every expected one arrived (the exporter sends in batches). */
function traceOf(receiver: OtlpReceiver, traceId: string): Promise<Map<string, ReceivedSpan>> {
  return eventually(() => {
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    if (!SPAN_NAMES.every((name) => spans.some((s) => s.name === name))) return undefined;
    // One execution, one delivery: each span once.
    expect(spans.map((s) => s.name).sort()).to.deep.equal([...SPAN_NAMES].sort());
    return new Map(spans.map((s) => [s.name, s]));
  }, 30_000, 200);
}

function span(spans: Map<string, ReceivedSpan>, name: string): ReceivedSpan {
  const found = spans.get(name);
  if (!found) throw new Error(`no ${name} span`);
  return found;
}

describe('tracing: one trace from the publisher over NATS to the spawner', function () {
  this.timeout(90_000);
  let receiver: OtlpReceiver;
  let platform: Platform;
  let user: TestUser;
  let name: string;
  const lines: string[] = [];

  before(async () => {
    await buildImages();
    receiver = await OtlpReceiver.start();
    platform = await startTestPlatform({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }, capturingLogger(lines));
    user = await newUser(platform.baseUrl);
    name = await newFunction(platform.baseUrl, user, IMAGES.echo);
  });
  after(async () => {
    await platform?.stop();
    await receiver?.close();
  });

  it("continues the client's traceparent: accept under the client's span, the spawner's spans under accept", async () => {
    const clientTrace = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const res = await request<Execution>(`${platform.baseUrl}/publisher/publish`, {
      token: user.token,
      body: { name, argument: 'traced' },
      headers: { traceparent: `00-${clientTrace}-${clientSpan}-01` },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.status).to.equal('succeeded');
    const read = await request<Execution>(`${platform.baseUrl}/publisher/executions/${res.body.id}`, { token: user.token });
    expect(read.body.traceId).to.equal(clientTrace);

    const spans = await traceOf(receiver, clientTrace);
    const accept = span(spans, 'accept');
    expect(accept).to.include({ service: 'publisher-service', parentSpanId: clientSpan, kind: SERVER });
    expect(accept.attributes['faas.execution.id']).to.equal(res.body.id);
    for (const name of ['queue wait', 'execute']) {
      expect(span(spans, name), name).to.include({ service: 'spawner-service', parentSpanId: accept.spanId, kind: CONSUMER });
    }
    const execute = span(spans, 'execute');
    expect(execute.attributes).to.include({ 'faas.execution.id': res.body.id, 'faas.execution.status': 'succeeded' });
    for (const name of ['container start', 'container run', 'result']) {
      expect(span(spans, name), name).to.include({ service: 'spawner-service', parentSpanId: execute.spanId });
    }
    expect(receiver.paths.every((path) => path === '/v1/traces')).to.equal(true);
  });

  it('starts the trace at the publisher when the client sends none, and the record names it', async () => {
    const res = await request<{ executionId: string }>(`${platform.baseUrl}/publisher/executions`, { token: user.token, body: { name, argument: 'async' } });
    expect(res.status).to.equal(202);
    const final = await finalExecution(platform.baseUrl, user, res.body.executionId);
    expect(final.status).to.equal('succeeded');
    const traceId = String(final.traceId);
    expect(traceId).to.match(/^[0-9a-f]{32}$/);

    const spans = await traceOf(receiver, traceId);
    const accept = span(spans, 'accept');
    expect(accept.parentSpanId ?? '').to.equal('');
    expect(accept.attributes['faas.execution.id']).to.equal(res.body.executionId);
    expect(span(spans, 'execute').parentSpanId).to.equal(accept.spanId);
  });

  it('answers 202 to malformed or hostile trace headers and starts a fresh trace for each', async () => {
    const zeros = `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01`;
    const hostile: Record<string, string>[] = [
      { traceparent: zeros },
      { traceparent: `ff-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
      { traceparent: 'x'.repeat(8_000) },
      { traceparent: `00-${'A'.repeat(32)}-${'B'.repeat(16)}-01`, tracestate: `k=${'v'.repeat(8_000)},${'='.repeat(300)}` },
    ];
    for (const headers of hostile) {
      const res = await request<{ executionId: string }>(`${platform.baseUrl}/publisher/executions`, { token: user.token, body: { name, argument: 'h' }, headers });
      expect(res.status, JSON.stringify(headers).slice(0, 80)).to.equal(202);
      const final = await finalExecution(platform.baseUrl, user, res.body.executionId);
      expect(final.status).to.equal('succeeded');
      expect(String(final.traceId)).to.match(/^[0-9a-f]{32}$/).and.not.equal('0'.repeat(32)).and.not.equal('a'.repeat(32));
    }
  });

  it("carries the request id in the message headers into the spawner's log lines for the execution", async () => {
    const requestId = `trace-test-${randomBytes(6).toString('hex')}`;
    const res = await request<Execution>(`${platform.baseUrl}/publisher/publish`, {
      token: user.token,
      body: { name, argument: 'logged' },
      headers: { 'x-request-id': requestId },
    });
    expect(res.status).to.equal(200);
    const spawnerLines = await eventually(() => {
      const found = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.component === 'spawner' && entry.executionId === res.body.id);
      return found.some((entry) => entry.msg === 'execution finished') ? found : undefined;
    });
    const finished = spawnerLines.find((entry) => entry.msg === 'execution finished');
    expect(finished?.requestId).to.equal(requestId);
  });
});
