/** Generators of malformed HTTP requests: wrong types, missing fields, huge, deep, odd characters. */

export interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Whether to send the caller's valid token (when the request has no Authorization of its own). */
  readonly auth: boolean;
}

export interface Endpoint {
  readonly method: string;
  readonly path: string;
  readonly auth: boolean;
  /** A well-formed body: each variant changes one field of it. */
  readonly valid?: Record<string, unknown>;
}

const deepArray = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** JSON values no field expects, or expects only in a sane form. */
export const HOSTILE_VALUES: readonly unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', ' ', 'x'.repeat(10_000), 'x'.repeat(300_000),
  '名前', '😀'.repeat(200), '\u202eevil', '\ud800', 'a\u0000b', '\u0000', '\r\n\t', '\u001b[31mred', '\u200b',
  '..', '../../etc/passwd', 'a..b', '.', 'a.b', '*', '>', 'a.*.>', 'faas.exec.>', '$JS.API.>', 'a b',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'NaN', 'Infinity', '-0', '1e9',
  [], [1, 2], ['x'], {}, { a: 1 }, { toString: 'x' },
];

/** Bodies that are not a JSON object, or not JSON at all, or JSON built to hurt a parser. */
export const RAW_BODIES: readonly { readonly body: string; readonly type?: string; readonly encoding?: string }[] = [
  { body: '{' }, { body: '{"a":}' }, { body: "{'a':1}" }, { body: 'null' }, { body: '"text"' }, { body: '[]' }, { body: '42' },
  { body: deepArray(20_000) }, { body: deepObject(5_000) },
  { body: '{"__proto__":{"admin":true,"role":"admin"},"name":"proto-x","image":"x"}' },
  { body: '{"constructor":{"prototype":{"admin":true}},"name":"ctor-x"}' },
  { body: '{"name":"a","name":"b","name":{"__proto__":null}}' },
  { body: '\ufeff{"name":"bom"}' }, { body: '\u0000' }, { body: '' },
  { body: `{"name":"${'x'.repeat(2_000_000)}"}` },
  { body: '{"name":"x"}', type: 'text/plain' }, { body: 'name=x&image=y', type: 'application/x-www-form-urlencoded' },
  { body: '{"name":"x"}', type: 'application/json; charset=utf-16' }, { body: '{"name":"x"}', type: 'application/json; charset=klingon' },
  { body: 'not-gzip-at-all', encoding: 'gzip' }, { body: '{"name":"x"}', encoding: 'identity, x-evil' },
];

/** Strings for path parameters and query values (already URL-encoded where they need it). */
export const HOSTILE_SEGMENTS: readonly string[] = [
  '..', '%2e%2e', '%2F', '..%2F..%2Fetc%2Fpasswd', 'a%00b', '%00', '*', '%3E', 'a.b', 'a.*.%3E', '__proto__', 'constructor',
  'prototype', 'x'.repeat(300), 'x'.repeat(8_000), '%E2%80%AE', '%FF', '%', '%zz', '%C3%B1', '%F0%9F%98%80', '%20', '-', '_',
  '0', '-1', '1e400', 'null', 'undefined', '%24JS.API.%3E',
];

/** Authorization headers that must all be refused. */
export const HOSTILE_AUTH_HEADERS: readonly string[] = [
  'Bearer', 'Bearer ', 'Bearer x', 'Bearer a.b.c', 'Bearer ...', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Token abc',
  `Bearer ${'a'.repeat(10_000)}`, `Bearer ${'a'.repeat(40_000)}`,
  `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.`,
  `Bearer ${'eyJ'.repeat(3)}.${'eyJ'.repeat(3)}.${'x'.repeat(43)}`,
];

export function bodyVariants(endpoint: Endpoint): HostileRequest[] {
  const out: HostileRequest[] = [];
  const base = { method: endpoint.method, path: endpoint.path, auth: endpoint.auth };
  const json = (body: string): HostileRequest => ({ ...base, headers: { 'content-type': 'application/json' }, body });
  const valid = endpoint.valid ?? {};
  for (const field of Object.keys(valid)) {
    for (const value of HOSTILE_VALUES) out.push(json(JSON.stringify({ ...valid, [field]: value })));
    const { [field]: _missing, ...rest } = valid;
    out.push(json(JSON.stringify(rest)));
    // A key that collides with Object.prototype, next to the valid fields.
    out.push(json(JSON.stringify(valid).replace(/^\{/, `{"__proto__":{"${field}":"polluted"},`)));
  }
  // fetch cannot send a body with GET; those endpoints get the path, query and token variants.
  if (endpoint.method === 'GET') return out;
  for (const raw of RAW_BODIES) {
    out.push({
      ...base,
      headers: { 'content-type': raw.type ?? 'application/json', ...(raw.encoding ? { 'content-encoding': raw.encoding } : {}) },
      body: raw.body,
    });
  }
  return out;
}

export function authVariants(endpoint: Endpoint): HostileRequest[] {
  return HOSTILE_AUTH_HEADERS.map((authorization) => ({
    method: endpoint.method,
    path: endpoint.path,
    auth: false,
    headers: { authorization, ...(endpoint.valid ? { 'content-type': 'application/json' } : {}) },
    ...(endpoint.valid ? { body: JSON.stringify(endpoint.valid) } : {}),
  }));
}

/** The object endpoints (registry): raw bodies for PUT, hostile names in the path and the list query. */
export function objectEndpoints(): Endpoint[] {
  return [
    { method: 'PUT', path: '/registry/objects/hx/data.csv', auth: true },
    { method: 'GET', path: '/registry/objects', auth: true },
    { method: 'GET', path: '/registry/objects/hx/nothing.csv', auth: true },
    { method: 'DELETE', path: '/registry/objects/hx/nothing.csv', auth: true },
  ];
}

export function objectPathVariants(segment: string): HostileRequest[] {
  const octets = { 'content-type': 'application/octet-stream' };
  return [
    { method: 'PUT', path: `/registry/objects/${segment}`, auth: true, headers: octets, body: 'x' },
    { method: 'PUT', path: `/registry/objects/hx/${segment}/x`, auth: true, headers: { 'content-type': segment }, body: 'x' },
    { method: 'GET', path: `/registry/objects/${segment}`, auth: true },
    { method: 'GET', path: `/registry/objects/executions/${segment}/x`, auth: true },
    { method: 'DELETE', path: `/registry/objects/hx/${segment}`, auth: true },
    { method: 'GET', path: `/registry/objects?limit=${segment}&cursor=${segment}&prefix=${segment}`, auth: true },
  ];
}

/** The trigger endpoints (registry) and the webhook call (publisher, no JWT: the path token is the credential). */
export function triggerEndpoints(fn: string): { registry: Endpoint[]; publisher: Endpoint[] } {
  const schedule = { name: 'hx-trigger', kind: 'schedule', function: fn, cron: '*/5 * * * *', timeZone: 'Europe/Madrid', missedTicks: 'skip', argument: 'a', enabled: false };
  const { name: _n, ...replacement } = schedule;
  return {
    registry: [
      { method: 'POST', path: '/registry/triggers', auth: true, valid: schedule },
      { method: 'POST', path: '/registry/triggers', auth: true, valid: { name: 'hx-hook', kind: 'webhook', function: fn, ratePerMinute: 5 } },
      { method: 'POST', path: '/registry/triggers', auth: true, valid: { name: 'hx-chain', kind: 'function-finished', function: fn, source: fn, statuses: ['failed'] } },
      { method: 'GET', path: '/registry/triggers', auth: true },
      { method: 'GET', path: '/registry/triggers/hx-none', auth: true },
      { method: 'PUT', path: '/registry/triggers/hx-trigger', auth: true, valid: { ...replacement, revision: 1 } },
      { method: 'DELETE', path: '/registry/triggers/hx-none', auth: true },
      { method: 'POST', path: '/registry/triggers/hx-none/rotate-token', auth: true },
    ],
    publisher: [{ method: 'POST', path: `/publisher/hooks/${'A'.repeat(43)}`, auth: false, valid: { order: 1 } }],
  };
}

export function triggerPathVariants(segment: string): { registry: HostileRequest[]; publisher: HostileRequest[] } {
  const json = { 'content-type': 'application/json' };
  return {
    registry: [
      { method: 'GET', path: `/registry/triggers/${segment}`, auth: true },
      { method: 'PUT', path: `/registry/triggers/${segment}`, auth: true, headers: json, body: '{"kind":"webhook","function":"x"}' },
      { method: 'DELETE', path: `/registry/triggers/${segment}`, auth: true },
      { method: 'POST', path: `/registry/triggers/${segment}/rotate-token`, auth: true },
    ],
    publisher: [{ method: 'POST', path: `/publisher/hooks/${segment}`, auth: false, headers: { 'content-type': segment.replace(/%/g, '') || 'text/plain' }, body: 'x' }],
  };
}
