import { SpanKind, contextFromHeaders, endSpan, headersFor, traceIdOf, type Tracer } from '@faas/common';
import type { Request } from 'express';
import type { Caller, Submitted } from './executions.js';

/**
 * The `accept` span: from the request's arrival until its execution is queued. Its parent is the
 * client's `traceparent` when one came; otherwise it starts the trace (this is the edge). The
 * caller it hands on carries the trace id (for the record) and the headers (for the message).
 */
export async function traceAccept(tracer: Tracer, req: Request, caller: Caller, submit: (caller: Caller) => Promise<Submitted>): Promise<Submitted> {
  const parent = contextFromHeaders({ traceparent: req.get('traceparent'), tracestate: req.get('tracestate') });
  const route = `${req.baseUrl}${String(req.route?.path ?? req.path)}`;
  const span = tracer.startSpan('accept', { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': route } }, parent);
  const traceId = traceIdOf(span);
  try {
    const submitted = await submit(traceId ? { ...caller, trace: { traceId, headers: headersFor(span) } } : caller);
    span.setAttributes({ 'faas.execution.id': submitted.record.id, 'faas.function': submitted.fn.name });
    endSpan(span);
    return submitted;
  } catch (err) {
    endSpan(span, err);
    throw err;
  }
}
