import { HOP_BY_HOP_HEADERS, isPlatformHeader } from '@faas/common';

/** One request to an HTTP function, as the route read it. */
export interface HttpCall {
  readonly method: string;
  /** The path after `/publisher/fn/<user>/<function>`, as sent (still percent-encoded); `/` at least. */
  readonly rawPath: string;
  readonly rawQueryString: string;
  /** Lower-cased names, every value of a repeated header. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
  readonly sourceIp: string;
  /** With a token (private functions): the caller, for requestContext.authorizer. */
  readonly caller?: { readonly id: string; readonly username: string };
  /** Public functions get the Authorization header (the platform did not use it); private ones never see the caller's token. */
  readonly passAuthorization: boolean;
}

/** Content types whose body travels as text when it is valid UTF-8; any other body is base64. */
const TEXT_TYPE = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)\b|application\/[\w.+-]*\+(json|xml)\b)/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function bodyOf(call: HttpCall): { body?: string; isBase64Encoded: boolean } {
  if (call.body.length === 0) return { isBase64Encoded: false };
  const type = call.headers['content-type']?.[0];
  if (type === undefined || TEXT_TYPE.test(type)) {
    try {
      return { body: utf8.decode(call.body), isBase64Encoded: false };
    } catch {
      // Not UTF-8 after all: base64 keeps every byte.
    }
  }
  return { body: call.body.toString('base64'), isBase64Encoded: true };
}

function queryOf(raw: string): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) params[key] = Object.hasOwn(params, key) ? `${params[key]},${value}` : value;
  return Object.keys(params).length > 0 ? params : undefined;
}

/**
 * The request as Lambda's API Gateway payload 2.0 event: repeated headers and query parameters
 * joined with commas, cookies in `cookies`; hop-by-hop and `x-faas-*` headers are the platform's,
 * and so is a private function caller's Authorization.
 */
export function httpEventOf(call: HttpCall, context: { readonly requestId: string; readonly now: Date }): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(call.headers)) {
    if (HOP_BY_HOP_HEADERS.has(name) || isPlatformHeader(name) || name === 'cookie') continue;
    if (name === 'authorization' && !call.passAuthorization) continue;
    headers[name] = values.join(',');
  }
  const cookies = (call.headers.cookie ?? []).flatMap((line) => line.split(';')).map((c) => c.trim()).filter(Boolean);
  const query = queryOf(call.rawQueryString);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: call.rawPath,
    rawQueryString: call.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      domainName: headers.host ?? '',
      http: { method: call.method, path: call.rawPath, protocol: 'HTTP/1.1', sourceIp: call.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: context.requestId,
      routeKey: '$default',
      stage: '$default',
      time: context.now.toISOString(),
      timeEpoch: context.now.getTime(),
      ...(call.caller ? { authorizer: { jwt: { claims: { sub: call.caller.id, username: call.caller.username }, scopes: null } } } : {}),
    },
    ...bodyOf(call),
  };
}
