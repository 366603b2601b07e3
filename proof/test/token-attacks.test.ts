import { readFileSync } from 'node:fs';
import { request } from '@faas/testing';
import { expect } from 'chai';
import { SignJWT, type JWTPayload } from 'jose';
import { newFunction, newUser, submitAsync, waitAllFinal, type User } from './support/client.js';
import { PROOF_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { proofPlatform, type ProofPlatform } from './support/platform.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

/** Tokens with the claims of a real user, each broken in one way. */
async function forgedTokens(secret: string, claims: JWTPayload & { sub: string }): Promise<Record<string, string>> {
  const key = new TextEncoder().encode(secret);
  const wrongKey = new TextEncoder().encode(`${secret}-not`);
  const sign = (payload: JWTPayload, options: { alg?: string; key?: Uint8Array } = {}): Promise<string> =>
    new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' }).sign(options.key ?? key);
  const good = { ...claims, iss: 'faas-auth', aud: 'faas', iat: now(), exp: now() + 600 };
  const valid = await sign(good);
  const [header, , signature] = valid.split('.');
  return {
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.`,
    'alg none, signature kept': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.${signature}`,
    'alg HS512 with the right secret': await sign(good, { alg: 'HS512' }),
    'wrong secret': await sign(good, { key: wrongKey }),
    expired: await sign({ ...good, iat: now() - 7200, exp: now() - 3600 }),
    'not yet valid (nbf)': await sign({ ...good, nbf: now() + 3600 }),
    'wrong issuer': await sign({ ...good, iss: 'evil-auth' }),
    'wrong audience': await sign({ ...good, aud: 'someone-else' }),
    'no expiry': await sign({ ...claims, iss: 'faas-auth', aud: 'faas' }),
    'subject with NATS wildcards': await sign({ ...good, sub: '*' }),
    'subject with a dot': await sign({ ...good, sub: 'a.b' }),
    'payload swapped, signature kept': `${header}.${b64({ ...good, sub: 'someone-else', role: 'admin' })}.${signature}`,
    'empty signature': `${header}.${b64(good)}.`,
  };
}

interface Probe {
  readonly label: string;
  readonly status: number;
  readonly expected: number;
}

describe('proof: token attacks and cross-user access', function () {
  this.timeout(120_000);
  const row = ledgerRow('token attacks + cross-user access');

  it('refuses every forged token with 401 and every other user\'s function or execution with 404', async () => {
    const p = await proofPlatform();
    await buildProofImages();
    const alice = await newUser(p);
    const bob = await newUser(p);
    const bobFn = await newFunction(p, bob, PROOF_IMAGES.echo, { timeoutSeconds: 10 });
    const bobExecution = await submitAsync(p.publishers[0]!.url, bob, bobFn, 'bob-only');
    const me = await request<{ id: string; username: string; role: string }>(`${p.auth.url}/auth/validate`, { token: alice.token });
    const tokens = await forgedTokens(readFileSync(p.secretFile, 'utf8').trim(), { sub: me.body.id, username: me.body.username, role: me.body.role });

    const probes: Probe[] = [];
    for (const [label, token] of Object.entries(tokens)) {
      for (const endpoint of protectedEndpoints(p, bobFn, bobExecution)) {
        const res = await request(`${endpoint.url}`, { method: endpoint.method, token, ...(endpoint.body ? { body: endpoint.body } : {}) });
        probes.push({ label: `${label}: ${endpoint.method} ${endpoint.url.replace(/^http:\/\/[^/]+/, '')}`, status: res.status, expected: 401 });
      }
    }
    probes.push(...(await crossUser(p, alice, bobFn, bobExecution)));

    // Bob's function and execution are untouched and still his.
    const bobsFunction = await request(`${p.registry.url}/registry/functions/${bobFn}`, { token: bob.token });
    const bobsRecord = (await waitAllFinal(() => p.publishers[0]!.url, [{ id: bobExecution, user: bob }], 30_000)).get(bobExecution);

    const wrong = probes.filter((probe) => probe.status !== probe.expected);
    row.submitted = probes.length;
    row.final = '-';
    row.lost = '-';
    row.duplicate = '-';
    row.fiveXx = probes.filter((probe) => probe.status >= 500).length;
    row.notes = `${Object.keys(tokens).length} forged tokens x 9 endpoints -> 401; ${probes.length - Object.keys(tokens).length * 9} cross-user probes -> 404; ${wrong.length} answered otherwise`;

    expect(wrong.map((w) => `${w.label} -> ${w.status} (expected ${w.expected})`)).to.deep.equal([]);
    expect(bobsFunction.status).to.equal(200);
    expect(bobsRecord).to.include({ status: 'succeeded', result: 'bob-only' });
  });
});

function protectedEndpoints(p: ProofPlatform, fn: string, executionId: string): { method: string; url: string; body?: unknown }[] {
  const publisher = p.publishers[0]!.url;
  return [
    { method: 'GET', url: `${p.auth.url}/auth/validate` },
    { method: 'GET', url: `${p.registry.url}/registry/functions` },
    { method: 'POST', url: `${p.registry.url}/registry/functions`, body: { name: 'forged-fn', image: PROOF_IMAGES.echo } },
    { method: 'GET', url: `${p.registry.url}/registry/functions/${fn}` },
    { method: 'GET', url: `${p.registry.url}/registry/list` },
    { method: 'POST', url: `${publisher}/publisher/publish`, body: { name: fn, argument: 'x' } },
    { method: 'POST', url: `${publisher}/publisher/executions`, body: { name: fn, argument: 'x' } },
    { method: 'GET', url: `${publisher}/publisher/executions` },
    { method: 'GET', url: `${publisher}/publisher/executions/${executionId}` },
  ];
}

/** Alice's valid token on Bob's function and execution: 404, as if they did not exist. */
async function crossUser(p: ProofPlatform, alice: User, bobFn: string, bobExecution: string): Promise<Probe[]> {
  const registry = p.registry.url;
  const publisher = p.publishers[0]!.url;
  const attempts: { label: string; method: string; url: string; body?: unknown }[] = [
    { label: "GET Bob's function", method: 'GET', url: `${registry}/registry/functions/${bobFn}` },
    { label: "PUT Bob's function", method: 'PUT', url: `${registry}/registry/functions/${bobFn}`, body: { image: PROOF_IMAGES.forkbomb } },
    { label: "DELETE Bob's function", method: 'DELETE', url: `${registry}/registry/functions/${bobFn}` },
    { label: "retrieve Bob's function (alias)", method: 'GET', url: `${registry}/registry/retrieve?name=${bobFn}` },
    { label: "delete Bob's function (alias)", method: 'DELETE', url: `${registry}/registry/delete?name=${bobFn}` },
    { label: "run Bob's function (sync)", method: 'POST', url: `${publisher}/publisher/publish`, body: { name: bobFn, argument: 'x' } },
    { label: "run Bob's function (async)", method: 'POST', url: `${publisher}/publisher/executions`, body: { name: bobFn, argument: 'x' } },
    { label: "GET Bob's execution", method: 'GET', url: `${publisher}/publisher/executions/${bobExecution}` },
  ];
  const probes: Probe[] = [];
  for (const a of attempts) {
    const res = await request(a.url, { method: a.method, token: alice.token, ...(a.body ? { body: a.body } : {}) });
    probes.push({ label: a.label, status: res.status, expected: 404 });
  }
  const list = await request<{ items: { id: string }[] }>(`${publisher}/publisher/executions`, { token: alice.token });
  const leaked = (list.body.items ?? []).some((item) => item.id === bobExecution);
  probes.push({ label: "Bob's execution in Alice's list", status: leaked ? 200 : 404, expected: 404 });
  return probes;
}
