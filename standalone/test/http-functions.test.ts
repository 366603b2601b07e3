import { request as httpRequest } from 'node:http';
import { buildFunctionImage, buildNodeHandlerImage, request } from '@faas/testing';
import { expect } from 'chai';
import type { Platform } from '../src/platform.js';
import { buildImages, finalExecution, newFunction, newUser, startTestPlatform, type TestUser } from './helpers.js';

const NODE_IMAGE = 'faas-test/http-node:latest';
const EXEC_IMAGE = 'faas-test/http-exec:latest';

/** A Lambda handler for payload 2.0 events: echoes what it got in headers, and the body bytes after 0xff 0x00. */
const HANDLER = `
exports.handler = async (event) => {
  if (event.rawPath === '/plain') return 'just text';
  if (event.rawPath === '/bad-status') return { statusCode: 42, body: 'x' };
  if (event.rawPath === '/boom') throw new Error('boom');
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  return {
    statusCode: 201,
    headers: {
      'content-type': 'application/octet-stream',
      'x-echo-method': event.requestContext.http.method,
      'x-echo-path': event.rawPath,
      'x-echo-query': event.rawQueryString + '|' + (event.queryStringParameters?.q ?? ''),
      'x-echo-header': event.headers['x-custom'] ?? '',
      'x-echo-cookies': (event.cookies ?? []).join('|'),
      'x-saw-authorization': String('authorization' in event.headers),
      'x-request-id-seen': event.requestContext.requestId,
      'content-length': '1',
      'x-faas-execution-id': 'forged',
    },
    cookies: ['session=abc; Domain=example.com; Path=/; HttpOnly'],
    body: Buffer.concat([Buffer.from([0xff, 0x00]), body]).toString('base64'),
    isBase64Encoded: true,
  };
};
`;
/** An exec-mode image (the contract every image has): the event is its argument; it prints a response object or the event. */
const EXEC_SCRIPT = `case "$1" in
  *'"rawPath":"/created"'*) printf '{"statusCode":202,"headers":{"x-made-by":"sh"},"body":"made"}' ;;
  *) printf '%s' "$1" ;;
esac
`;

type Event = { rawPath: string; rawQueryString: string; headers: Record<string, string>; queryStringParameters?: Record<string, string>; body?: string; isBase64Encoded: boolean; requestContext: { http: { method: string } } };

describe('standalone platform: HTTP functions', function () {
  this.timeout(300_000);
  let platform: Platform;
  let base: string;
  let alice: TestUser;
  const binary = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80, 10, 13]);

  before(async () => {
    await Promise.all([buildImages(), buildNodeHandlerImage(NODE_IMAGE, HANDLER), buildFunctionImage(EXEC_IMAGE, EXEC_SCRIPT)]);
    platform = await startTestPlatform();
    base = platform.baseUrl;
    alice = await newUser(base);
  });
  after(() => platform.stop());

  const url = (user: TestUser, fn: string, rest = ''): string => `${base}/publisher/fn/${user.username}/${fn}${rest}`;

  it('passes a POST with query, headers, cookies and a binary body to a Node handler (process mode) and sends back its status, headers, cookies and bytes', async () => {
    const fn = await newFunction(base, alice, NODE_IMAGE, { runtime: 'process', http: true, public: true });
    const res = await fetch(url(alice, fn, '/a/b?q=1&q=2&x=%20'), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-custom': 'hello', cookie: 'k=v; other=w', authorization: 'Bearer meant-for-the-function', 'x-faas-forged': '1' },
      body: binary,
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.status, bytes.toString()).to.equal(201);
    expect(bytes.equals(Buffer.concat([Buffer.from([0xff, 0]), binary]))).to.equal(true);
    expect(res.headers.get('content-length')).to.equal(String(bytes.length));
    expect(Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('x-echo') || k === 'x-saw-authorization'))).to.deep.equal({
      'x-echo-method': 'POST', 'x-echo-path': '/a/b', 'x-echo-query': 'q=1&q=2&x=%20|1,2', 'x-echo-header': 'hello', 'x-echo-cookies': 'k=v|other=w', 'x-saw-authorization': 'true',
    });
    const id = res.headers.get('x-faas-execution-id') ?? '';
    expect(id).to.not.equal('forged');
    expect(res.headers.get('x-request-id-seen')).to.equal(id);
    // Scoped to the function's own path, on no other domain.
    expect(res.headers.getSetCookie()).to.deep.equal([`session=abc; HttpOnly; Path=/publisher/fn/${alice.username}/${fn}/`]);
    expect(res.headers.get('content-security-policy')).to.match(/^sandbox /);
    const record = await finalExecution(base, alice, id);
    expect(record).to.include({ status: 'succeeded', function: fn });
    expect(record.http).to.deep.equal({ method: 'POST', path: '/a/b', status: 201 });
  });

  it('answers a GET, a plain string as 200 text/plain, and a bad statusCode or a throw as 502 with the execution id', async () => {
    const fn = await newFunction(base, alice, NODE_IMAGE, { runtime: 'process', http: true, public: true });
    const got = await fetch(url(alice, fn, '?q=x'), { headers: { 'x-custom': 'g' } });
    expect(got.status).to.equal(201);
    expect(got.headers.get('x-echo-method')).to.equal('GET');
    expect(got.headers.get('x-echo-path')).to.equal('/');
    const plain = await fetch(url(alice, fn, '/plain'));
    expect([plain.status, plain.headers.get('content-type'), await plain.text()]).to.deep.equal([200, 'text/plain; charset=utf-8', 'just text']);
    for (const [path, code] of [['/bad-status', 'BAD_FUNCTION_RESPONSE'], ['/boom', 'FUNCTION_FAILED']] as const) {
      const res = await fetch(url(alice, fn, path));
      const body = (await res.json()) as { error: { code: string; executionId: string } };
      expect([res.status, body.error.code], path).to.deep.equal([502, code]);
      expect((await finalExecution(base, alice, body.error.executionId)).http).to.deep.include({ status: 502 });
    }
  });

  it('gives an exec-mode image the same event as its argument, and its stdout as the answer', async () => {
    const fn = await newFunction(base, alice, EXEC_IMAGE, { http: true, public: true });
    const got = await fetch(url(alice, fn, '/x/y?q=1'), { headers: { 'x-custom': 'exec' } });
    expect(got.status).to.equal(200);
    expect(got.headers.get('content-type')).to.equal('application/json');
    const event = (await got.json()) as Event;
    expect(event).to.deep.include({ rawPath: '/x/y', rawQueryString: 'q=1', queryStringParameters: { q: '1' }, isBase64Encoded: false });
    expect(event.requestContext.http.method).to.equal('GET');
    expect(event.headers['x-custom']).to.equal('exec');
    const posted = await fetch(url(alice, fn, '/bin'), { method: 'POST', headers: { 'content-type': 'image/png' }, body: binary });
    const echoed = (await posted.json()) as Event;
    expect(echoed).to.include({ isBase64Encoded: true, body: binary.toString('base64') });
    const text = await fetch(url(alice, fn), { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'héllo' });
    expect(((await text.json()) as Event).body).to.equal('héllo');
    const created = await fetch(url(alice, fn, '/created'), { method: 'POST' });
    expect([created.status, created.headers.get('x-made-by'), await created.text()]).to.deep.equal([202, 'sh', 'made']);
  });

  it('asks a private function’s caller for its owner’s token: 401 without one, 404 with another user’s', async () => {
    const fn = await newFunction(base, alice, NODE_IMAGE, { runtime: 'process', http: true });
    const bob = await newUser(base);
    const none = await fetch(url(alice, fn));
    expect(none.status).to.equal(401);
    const forged = await fetch(url(alice, fn), { headers: { authorization: 'Bearer not.a.jwt' } });
    expect(forged.status).to.equal(401);
    const foreign = await fetch(url(alice, fn), { headers: { authorization: `Bearer ${bob.token}` } });
    expect(foreign.status).to.equal(404);
    const missing = await fetch(url(alice, 'no-such-fn'), { headers: { authorization: `Bearer ${bob.token}` } });
    expect([missing.status, ((await missing.json()) as { error: { message: string } }).error.message]).to.deep.equal([404, `no HTTP function ${alice.username}/no-such-fn`]);
    const own = await fetch(url(alice, fn, '/mine'), { headers: { authorization: `Bearer ${alice.token}` } });
    expect(own.status).to.equal(201);
    // The caller's platform token is not the function's to see.
    expect(own.headers.get('x-saw-authorization')).to.equal('false');
    // Any case of the username reaches the same function.
    expect((await fetch(url({ ...alice, username: alice.username.toUpperCase() }, fn), { headers: { authorization: `Bearer ${alice.token}` } })).status).to.equal(201);
  });

  it('refuses a function that is not HTTP (404), a body over the argument cap (413) and TRACE (405), as JSON', async () => {
    const plain = await newFunction(base, alice, EXEC_IMAGE);
    expect((await fetch(url(alice, plain), { headers: { authorization: `Bearer ${alice.token}` } })).status).to.equal(404);
    const fn = await newFunction(base, alice, EXEC_IMAGE, { http: true, public: true });
    const big = await fetch(url(alice, fn), { method: 'POST', body: Buffer.alloc(70_000, 'a') });
    expect([big.status, ((await big.json()) as { error: { code: string } }).error.code]).to.deep.equal([413, 'PAYLOAD_TOO_LARGE']);
    const trace = await rawRequest(url(alice, fn), 'TRACE');
    expect([trace.status, trace.allow]).to.deep.equal([405, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS']);
    const refused = await request(`${base}/registry/functions`, { token: alice.token, body: { name: 'pub-only', image: EXEC_IMAGE, public: true } });
    expect(refused.status).to.equal(400);
  });
});

/** node:http, for methods fetch refuses to send. */
function rawRequest(target: string, method: string): Promise<{ status: number; allow: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow }));
    });
    req.on('error', reject);
    req.end();
  });
}
