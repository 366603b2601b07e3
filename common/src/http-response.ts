import type { ExecutionRecord } from './execution-types.js';
import { scopeCookie } from './http-cookies.js';

/**
 * HTTP functions (docs/http-functions.md): what a final execution record answers. Pure, shared
 * by the spawner (which keeps the status in the record) and the publisher (which sends it).
 */
export interface HttpAnswer {
  readonly statusCode: number;
  /** Lower-cased names; never a hop-by-hop header, content-length or one of the platform's own. */
  readonly headers: Readonly<Record<string, string>>;
  /** Set-Cookie values, scoped to the function's own path. */
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

/** The function did not answer: 502 (failed, error, malformed answer) or 504 (timed out). */
export interface HttpFailure {
  readonly statusCode: 502 | 504;
  readonly code: 'FUNCTION_FAILED' | 'FUNCTION_TIMED_OUT' | 'BAD_FUNCTION_RESPONSE';
  readonly message: string;
}

export type HttpOutcome = { readonly kind: 'answer'; readonly answer: HttpAnswer } | { readonly kind: 'failure'; readonly failure: HttpFailure };

/** The methods an HTTP function is called with (the publisher's route, the gateway's); CONNECT and TRACE are a proxy's. */
export const HTTP_FUNCTION_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Connection-level headers (RFC 9110 7.6.1): each hop sets its own. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
]);
/** Set by the platform on every answer: a function's value would lie about the body or the request. */
const PLATFORM_RESPONSE_HEADERS: ReadonlySet<string> = new Set(['content-length', 'x-request-id', 'set-cookie']);
export const isPlatformHeader = (name: string): boolean => name.startsWith('x-faas-');

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// What Node sends as a header value (no CR, LF or other control characters but tab).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const malformed = (message: string): HttpOutcome => ({ kind: 'failure', failure: { statusCode: 502, code: 'BAD_FUNCTION_RESPONSE', message: `the function's response is malformed: ${message}` } });
const text = (body: string, contentType: string): HttpOutcome => ({
  kind: 'answer',
  answer: { statusCode: 200, headers: { 'content-type': contentType }, cookies: [], body: Buffer.from(body, 'utf8') },
});

function parsed(result: string): unknown {
  try {
    return JSON.parse(result);
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{statusCode, headers, cookies, body, isBase64Encoded}` (Lambda's payload 2.0 response) -> the answer, or a 502. */
function responseObject(value: Record<string, unknown>, cookiePath: string): HttpOutcome {
  const { statusCode, headers = {}, cookies = [], body = '', isBase64Encoded = false } = value;
  // 1xx are interim answers, never a final one: HTTP/1.1 cannot send them as the response.
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 200 || statusCode > 599) return malformed('statusCode must be a whole number from 200 to 599');
  if (!isObject(headers)) return malformed('headers must be an object');
  if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) return malformed('cookies must be an array of strings');
  if (typeof body !== 'string') return malformed('body must be a string');
  if (typeof isBase64Encoded !== 'boolean') return malformed('isBase64Encoded must be true or false');
  if (isBase64Encoded && !BASE64.test(body)) return malformed('body is not base64');
  const kept: Record<string, string> = { 'content-type': 'application/json' };
  const setCookies = [...cookies];
  for (const [rawName, raw] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    const value = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined;
    if (!TOKEN.test(name) || value === undefined || !FIELD_VALUE.test(value)) return malformed(`header ${JSON.stringify(rawName).slice(0, 80)} is not a valid header`);
    if (name === 'set-cookie') setCookies.push(value);
    else if (!HOP_BY_HOP_HEADERS.has(name) && !PLATFORM_RESPONSE_HEADERS.has(name) && !isPlatformHeader(name)) kept[name] = value;
  }
  const scoped: string[] = [];
  for (const cookie of setCookies) {
    const one = scopeCookie(cookie, cookiePath);
    if (one === undefined) return malformed(`cookie ${JSON.stringify(cookie).slice(0, 80)} is not a valid Set-Cookie value`);
    scoped.push(one);
  }
  const bytes = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  return { kind: 'answer', answer: { statusCode, headers: kept, cookies: scoped, body: bytes } };
}

/**
 * A final record -> the HTTP answer. `succeeded`: a JSON object with `statusCode` is a response
 * object; any other JSON object or array is a 200 application/json body (Lambda's inference);
 * other text a 200 text/plain body. `failed` and `error` are 502, `timed_out` 504; a result cut
 * at the output cap is a 502 (a cut response would be a lying one).
 */
export function httpOutcomeOf(record: Pick<ExecutionRecord, 'status' | 'result' | 'truncated' | 'error'>, cookiePath: string): HttpOutcome {
  if (record.status === 'timed_out') return { kind: 'failure', failure: { statusCode: 504, code: 'FUNCTION_TIMED_OUT', message: record.error ?? 'the function timed out' } };
  if (record.status !== 'succeeded') return { kind: 'failure', failure: { statusCode: 502, code: 'FUNCTION_FAILED', message: record.error ?? `the execution ended ${record.status}` } };
  if (record.truncated) return malformed('it was cut at the output cap');
  const result = record.result ?? '';
  const value = parsed(result);
  if (isObject(value) && Object.hasOwn(value, 'statusCode')) return responseObject(value, cookiePath);
  if (isObject(value) || Array.isArray(value)) return text(result, 'application/json');
  return text(result, 'text/plain; charset=utf-8');
}

/** The status a final record answers with: kept in the record (`http.status`). */
export function httpStatusOf(record: Pick<ExecutionRecord, 'status' | 'result' | 'truncated' | 'error'>): number {
  const outcome = httpOutcomeOf(record, '/');
  return outcome.kind === 'answer' ? outcome.answer.statusCode : outcome.failure.statusCode;
}
