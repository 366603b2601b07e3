import { request } from '@faas/testing';
import { expect } from 'chai';
import { inParallel, newFunction, newUser, submitAsync, waitAllFinal } from './support/client.js';
import { httpFunctionAbuse } from './support/http-abuse.js';
import { HOSTILE_SEGMENTS, authVariants, bodyVariants, objectEndpoints, objectPathVariants, triggerEndpoints, triggerPathVariants, type Endpoint, type HostileRequest } from './support/hostile-input.js';
import { PROOF_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { proofPlatform, type ProofPlatform } from './support/platform.js';

interface Outcome {
  readonly request: HostileRequest;
  readonly base: string;
  readonly status: number;
  readonly error?: string;
  readonly body?: string;
}

/** Tokens other than the caller's: the admin's, and a user's that logout-all and disable may revoke. */
interface OtherTokens {
  readonly admin: string;
  readonly victim: { readonly username: string; readonly token: string };
}

/** Every endpoint of the three HTTP services, with a well-formed body where it takes one. */
/** HTTP functions of the caller's: a public one (any body reaches it) and a private one (the token variants). */
interface HttpFunctions {
  readonly owner: string;
  readonly open: string;
  readonly closed: string;
}

function endpoints(p: ProofPlatform, fn: string, other: OtherTokens, http: HttpFunctions): { base: string; endpoint: Endpoint; token?: string }[] {
  const spec = { name: 'hx-fn', image: PROOF_IMAGES.echo, description: 'd', env: { A: 'b' }, timeoutSeconds: 5, memoryMb: 64, cpus: 0.5, network: 'none', warm: true };
  const { name: _n, ...update } = spec;
  const auth = p.auth.url;
  const registry = p.registry.url;
  const publisher = p.publishers[0]!.url;
  return [
    { base: auth, endpoint: { method: 'POST', path: '/auth/register', auth: false, valid: { username: 'hx-user', password: 'correct-horse' } } },
    { base: auth, endpoint: { method: 'POST', path: '/auth/login', auth: false, valid: { username: 'hx-user', password: 'correct-horse' } } },
    { base: auth, endpoint: { method: 'GET', path: '/auth/validate', auth: true } },
    { base: auth, endpoint: { method: 'POST', path: '/auth/logout-all', auth: true }, token: other.victim.token },
    { base: auth, endpoint: { method: 'GET', path: '/auth/admin/users', auth: true }, token: other.admin },
    { base: auth, endpoint: { method: 'GET', path: `/auth/admin/users/${other.victim.username}`, auth: true }, token: other.admin },
    { base: auth, endpoint: { method: 'PATCH', path: `/auth/admin/users/${other.victim.username}`, auth: true, valid: { disabled: false, maxConcurrent: 5 } }, token: other.admin },
    { base: auth, endpoint: { method: 'DELETE', path: '/auth/admin/users/hx-nobody', auth: true }, token: other.admin },
    { base: auth, endpoint: { method: 'PATCH', path: `/auth/admin/users/${other.victim.username}`, auth: true, valid: { disabled: true } } },
    { base: registry, endpoint: { method: 'POST', path: '/registry/secrets', auth: true, valid: { name: 'HX_SECRET', value: 'v' } } },
    { base: registry, endpoint: { method: 'GET', path: '/registry/secrets', auth: true } },
    { base: registry, endpoint: { method: 'GET', path: '/registry/secrets/HX_NONE', auth: true } },
    { base: registry, endpoint: { method: 'PUT', path: '/registry/secrets/HX_PUT', auth: true, valid: { value: 'v' } } },
    { base: registry, endpoint: { method: 'DELETE', path: '/registry/secrets/HX_NONE', auth: true } },
    { base: registry, endpoint: { method: 'POST', path: '/registry/functions', auth: true, valid: spec } },
    { base: registry, endpoint: { method: 'GET', path: '/registry/functions', auth: true } },
    { base: registry, endpoint: { method: 'GET', path: `/registry/functions/${fn}`, auth: true } },
    { base: registry, endpoint: { method: 'PUT', path: '/registry/functions/hx-put', auth: true, valid: update } },
    { base: registry, endpoint: { method: 'DELETE', path: '/registry/functions/hx-nothing', auth: true } },
    { base: registry, endpoint: { method: 'POST', path: '/registry/register', auth: true, valid: { name: 'hx-alias', payload: PROOF_IMAGES.echo, description: 'd' } } },
    { base: registry, endpoint: { method: 'GET', path: '/registry/list', auth: true } },
    { base: registry, endpoint: { method: 'GET', path: `/registry/retrieve?name=${fn}`, auth: true } },
    { base: registry, endpoint: { method: 'DELETE', path: '/registry/delete', auth: true, valid: { name: 'hx-nothing' } } },
    { base: publisher, endpoint: { method: 'POST', path: '/publisher/publish', auth: true, valid: { name: fn, argument: 'a' } } },
    ...objectEndpoints().map((endpoint) => ({ base: registry, endpoint })),
    ...triggerEndpoints(fn).registry.map((endpoint) => ({ base: registry, endpoint })),
    ...triggerEndpoints(fn).publisher.map((endpoint) => ({ base: publisher, endpoint })),
    { base: publisher, endpoint: { method: 'POST', path: '/publisher/executions', auth: true, valid: { name: fn, argument: 'a', callbackUrl: 'https://example.invalid/cb', inputs: ['hx/data.csv'], outputs: true } } },
    { base: publisher, endpoint: { method: 'GET', path: '/publisher/executions', auth: true } },
    { base: publisher, endpoint: { method: 'GET', path: '/publisher/executions/00000000-0000-7000-8000-000000000000', auth: true } },
    { base: publisher, endpoint: { method: 'GET', path: '/publisher/callback-key', auth: true } },
    { base: publisher, endpoint: { method: 'POST', path: `/publisher/fn/${http.owner}/${http.open}/x?q=1`, auth: false, valid: { any: 'json' } } },
    { base: publisher, endpoint: { method: 'PUT', path: `/publisher/fn/${http.owner}/${http.closed}/`, auth: true, valid: { any: 'json' } } },
    { base: publisher, endpoint: { method: 'GET', path: `/publisher/fn/${http.owner}/${http.closed}`, auth: true } },
    { base: publisher, endpoint: { method: 'POST', path: '/publisher/callback-key/rotate', auth: true, valid: {} } },
    // Each service's OpenAPI document and docs page: public, they take no input but the path.
    ...[
      [auth, '/auth'],
      [registry, '/registry'],
      [publisher, '/publisher'],
    ].flatMap(([base = '', prefix = '']) => [
      { base, endpoint: { method: 'GET', path: `${prefix}/openapi.json`, auth: false } },
      { base, endpoint: { method: 'GET', path: `${prefix}/docs`, auth: false } },
    ]),
  ];
}

/** Path parameters and query strings built from hostile segments. */
function pathVariants(p: ProofPlatform, adminToken: string): { base: string; request: HostileRequest; token?: string }[] {
  const registry = p.registry.url;
  const publisher = p.publishers[0]!.url;
  const out: { base: string; request: HostileRequest; token?: string }[] = [];
  for (const s of HOSTILE_SEGMENTS) {
    const json = { 'content-type': 'application/json' };
    out.push(
      { base: registry, request: { method: 'GET', path: `/registry/functions/${s}`, auth: true } },
      { base: registry, request: { method: 'PUT', path: `/registry/functions/${s}`, auth: true, headers: json, body: JSON.stringify({ image: PROOF_IMAGES.echo }) } },
      { base: registry, request: { method: 'DELETE', path: `/registry/functions/${s}`, auth: true } },
      { base: registry, request: { method: 'GET', path: `/registry/retrieve?name=${s}&name=${s}`, auth: true } },
      { base: registry, request: { method: 'DELETE', path: `/registry/delete?name=${s}`, auth: true } },
      { base: registry, request: { method: 'GET', path: `/registry/functions?limit=${s}&cursor=${s}`, auth: true } },
      { base: publisher, request: { method: 'GET', path: `/publisher/executions/${s}`, auth: true } },
      { base: publisher, request: { method: 'GET', path: `/publisher/executions?limit=${s}&cursor=${s}&function=${s}`, auth: true } },
      { base: registry, request: { method: 'GET', path: `/registry/secrets/${s}`, auth: true } },
      { base: registry, request: { method: 'PUT', path: `/registry/secrets/${s}`, auth: true, headers: json, body: JSON.stringify({ value: 'v' }) } },
      { base: registry, request: { method: 'DELETE', path: `/registry/secrets/${s}`, auth: true } },
      { base: p.auth.url, request: { method: 'GET', path: `/auth/admin/users/${s}`, auth: true }, token: adminToken },
      { base: p.auth.url, request: { method: 'PATCH', path: `/auth/admin/users/${s}`, auth: true, headers: json, body: '{"maxConcurrent":2}' }, token: adminToken },
      { base: p.auth.url, request: { method: 'DELETE', path: `/auth/admin/users/${s}`, auth: true }, token: adminToken },
      { base: p.auth.url, request: { method: 'GET', path: `/auth/admin/users?limit=${s}&cursor=${s}`, auth: true }, token: adminToken },
      { base: p.auth.url, request: { method: 'GET', path: `/auth/docs/${s}`, auth: false } },
      { base: publisher, request: { method: 'GET', path: `/publisher/docs/${s}?url=${s}`, auth: false } },
      { base: publisher, request: { method: 'GET', path: `/publisher/fn/${s}/${s}/${s}?${s}=${s}`, auth: false } },
      { base: publisher, request: { method: 'DELETE', path: `/publisher/fn/${s}/${s}`, auth: true } },
      { base: registry, request: { method: 'GET', path: `/registry/openapi.json?${s}=${s}`, auth: false } },
      ...objectPathVariants(s).map((request) => ({ base: registry, request })),
      ...triggerPathVariants(s).registry.map((request) => ({ base: registry, request })),
      ...triggerPathVariants(s).publisher.map((request) => ({ base: publisher, request })),
    );
  }
  return out;
}

async function send(base: string, req: HostileRequest, token: string): Promise<Outcome> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.auth && !headers.authorization) headers.authorization = `Bearer ${token}`;
  try {
    const res = await fetch(`${base}${req.path}`, { method: req.method, headers, ...(req.body !== undefined ? { body: req.body } : {}) });
    const text = await res.text();
    return { request: req, base, status: res.status, body: text.slice(0, 300) };
  } catch (err) {
    return { request: req, base, status: 0, error: (err as Error).cause ? String((err as Error).cause) : String(err) };
  }
}

const describeRequest = (o: Outcome): string =>
  `${o.request.method} ${o.request.path.slice(0, 80)} [${(o.request.body ?? '').slice(0, 80)}] -> ${o.status} ${o.error ?? o.body ?? ''}`;

describe('proof: hostile HTTP input on every endpoint', function () {
  this.timeout(300_000);
  const row = ledgerRow('hostile HTTP input');

  it('answers at least 1000 malformed requests without a single 5xx and stays healthy', async () => {
    const p = await proofPlatform();
    await buildProofImages();
    const user = await newUser(p);
    const fn = await newFunction(p, user, PROOF_IMAGES.echo, { timeoutSeconds: 10 });
    const http: HttpFunctions = {
      owner: user.username,
      open: await newFunction(p, user, PROOF_IMAGES.echo, { timeoutSeconds: 10, http: true, public: true }),
      closed: await newFunction(p, user, PROOF_IMAGES.echo, { timeoutSeconds: 10, http: true }),
    };

    const adminLogin = await request<{ token: string }>(`${p.auth.url}/auth/login`, { body: p.admin });
    expect(adminLogin.status, 'the first admin logs in').to.equal(200);
    const other: OtherTokens = { admin: adminLogin.body.token, victim: await newUser(p) };

    const planned: { base: string; request: HostileRequest; token?: string }[] = [];
    for (const { base, endpoint, token } of endpoints(p, fn, other, http)) {
      for (const request of [...bodyVariants(endpoint), ...authVariants(endpoint)]) planned.push({ base, request, ...(token ? { token } : {}) });
    }
    planned.push(...pathVariants(p, other.admin));
    const outcomes = await inParallel(planned.map(({ base, request, token }) => () => send(base, request, token ?? user.token)), 12);
    // What fetch cannot send, on the public HTTP function's route: huge headers, bad methods, slow bodies.
    const publisher = p.publishers[0]!.url;
    const abuse = await Promise.all(httpFunctionAbuse(publisher, `/publisher/fn/${http.owner}/${http.open}/abuse`));
    for (const a of abuse) outcomes.push({ request: { method: 'RAW', path: a.label, auth: false }, base: publisher, status: a.status });

    const fiveXx = outcomes.filter((o) => o.status >= 500);
    // No answer is right for a client that left, and for CONNECT (Node closes it: no server here tunnels).
    const unanswerable = (o: Outcome): boolean => o.request.method === 'RAW' && (o.request.path.endsWith('then gone') || o.request.path === 'method CONNECT');
    const failed = outcomes.filter((o) => o.status === 0 && !unanswerable(o));
    const byStatus = new Map<number, number>();
    for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    row.submitted = outcomes.length;
    row.final = '-';
    row.lost = '-';
    row.duplicate = '-';
    row.fiveXx = fiveXx.length;
    row.notes = `statuses ${[...byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(' ')}`;
    row.notes += `; HTTP function route, raw: ${abuse.map((a) => `${a.label} ${a.status || 'closed'}`).join(', ')}`;

    // Afterwards: every service ready, and a normal execution still runs end to end.
    const services = [p.auth, p.registry, ...p.publishers.filter((s) => s.running), ...p.spawners];
    const ready = await Promise.all(services.map((s) => request(`${s.url}${s.options.readyPath}`).then((r) => r.status)));
    const id = await submitAsync(p.publishers[0]!.url, user, fn, 'after the storm');
    const after = (await waitAllFinal(() => p.publishers[0]!.url, [{ id, user }], 30_000)).get(id);
    row.notes += `; afterwards all ${services.length} services ready, a normal execution ${after?.status}`;

    expect(outcomes.length).to.be.at.least(1000);
    expect(fiveXx.map(describeRequest), 'responses of 500 or more').to.deep.equal([]);
    expect(failed.map(describeRequest), 'requests with no HTTP answer at all').to.deep.equal([]);
    expect(ready).to.deep.equal(services.map(() => 200));
    expect(after).to.include({ status: 'succeeded', result: 'after the storm' });
  });
});
