import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { registryWithUser, type RegistryUnderTest, type TestUser } from './helpers.js';

interface Shape {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  /** Postman's raw JSON body, pretty-printed as its editor saves it; undefined: no body. */
  readonly body?: Record<string, unknown>;
}

interface Answer {
  readonly status: number;
  readonly json: unknown;
}

/**
 * Sends one request as Postman's runtime does: its default headers, a raw JSON body with
 * Content-Type set even on GET and DELETE. fetch() refuses a body on GET, so node:http.
 */
function postman(base: URL, token: string, shape: Shape): Promise<Answer> {
  const payload = shape.body === undefined ? undefined : JSON.stringify(shape.body, null, 4);
  const headers: Record<string, string> = {
    Authorization: `Bearer ${token}`,
    'User-Agent': 'PostmanRuntime/7.39.0',
    Accept: '*/*',
    'Cache-Control': 'no-cache',
    'Postman-Token': randomUUID(),
    Host: base.host,
    'Accept-Encoding': 'gzip, deflate, br',
    Connection: 'keep-alive',
  };
  if (payload !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) });
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(`${base.pathname}${shape.path}`, base), { method: shape.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('registry: the original Postman collection, request for request', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  let base: URL;
  before(async () => {
    ({ registry, user } = await registryWithUser());
    base = new URL(registry.url);
  });
  after(() => registry.close());

  it('answers register, list, retrieve (name in a GET body) and delete (name in a DELETE body) as that client expects', async () => {
    const name = uniqueName('cuenta_palabras');
    const send = (shape: Shape) => postman(base, user.token, shape);

    const reg = await send({ method: 'POST', path: '/register', body: { name, description: 'Cuenta palabras', payload: 'faas-example/wordcount:latest' } });
    expect(reg.status, JSON.stringify(reg.json)).to.equal(201);
    const list = await send({ method: 'GET', path: '/list' });
    expect(list.status).to.equal(200);
    expect((list.json as { items: { name: string }[] }).items.map((f) => f.name)).to.include(name);

    const retrieved = await send({ method: 'GET', path: '/retrieve', body: { name } });
    expect(retrieved.status, JSON.stringify(retrieved.json)).to.equal(200);
    expect(retrieved.json).to.include({ name, payload: 'faas-example/wordcount:latest' });

    const deleted = await send({ method: 'DELETE', path: '/delete', body: { name } });
    expect(deleted.status).to.equal(204);
    expect((await send({ method: 'GET', path: '/retrieve', body: { name } })).status).to.equal(404);
  });

  it('takes the query string over the body when both name a function, on GET and DELETE', async () => {
    const name = uniqueName('q');
    const send = (shape: Shape) => postman(base, user.token, shape);
    expect((await send({ method: 'POST', path: '/register', body: { name, description: '', payload: 'busybox' } })).status).to.equal(201);
    const got = await send({ method: 'GET', path: `/retrieve?name=${name}`, body: { name: 'someone_else' } });
    expect(got.status).to.equal(200);
    expect(got.json).to.include({ name });
    expect((await send({ method: 'DELETE', path: `/delete?name=${name}`, body: { name: 'someone_else' } })).status).to.equal(204);
  });

  it('still refuses a GET /retrieve with no name anywhere with 400', async () => {
    const res = await postman(base, user.token, { method: 'GET', path: '/retrieve', body: {} });
    expect(res.status).to.equal(400);
    expect(res.json).to.have.nested.property('error.code', 'VALIDATION_FAILED');
  });
});
