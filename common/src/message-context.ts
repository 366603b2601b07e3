import { headers as natsHeaders, type MsgHdrs } from 'nats';
import { REQUEST_ID_PATTERN } from './http.js';
import type { TraceHeaders } from './tracing.js';

/** What travels beside an execution request in its NATS message headers. */
export interface MessageContext {
  /** The HTTP request's `x-request-id`, so the spawner's log lines for the execution carry it. */
  readonly requestId?: string;
  /** `traceparent` (and `tracestate`): the spawner's spans join the publisher's trace. */
  readonly trace?: TraceHeaders;
}

const TRACE_KEYS = ['traceparent', 'tracestate'] as const;

export function messageHeaders(context: MessageContext): MsgHdrs {
  const hdrs = natsHeaders();
  if (context.requestId) hdrs.set('x-request-id', context.requestId);
  for (const key of TRACE_KEYS) {
    const value = context.trace?.[key];
    if (value) hdrs.set(key, value);
  }
  return hdrs;
}

/** Reads them back; a request id that is not a sane one is left out (it goes into log lines). */
export function readMessageContext(hdrs: MsgHdrs | undefined): MessageContext {
  if (!hdrs) return {};
  const requestId = hdrs.get('x-request-id');
  const trace: Record<string, string> = {};
  for (const key of TRACE_KEYS) {
    const value = hdrs.get(key);
    if (value) trace[key] = value;
  }
  return { ...(REQUEST_ID_PATTERN.test(requestId) ? { requestId } : {}), trace };
}
