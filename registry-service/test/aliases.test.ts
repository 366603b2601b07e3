import type { FunctionDefinition } from '@faas/common';
import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { errorOf, registryWithUser, type RegistryUnderTest, type TestUser } from './helpers.js';

type Legacy = FunctionDefinition & { payload: string };

describe("registry: the original project's routes", () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  before(async () => ({ registry, user } = await registryWithUser()));
  after(() => registry.close());

  const register = (body: unknown) => request<Legacy>(`${registry.url}/register`, { body, token: user.token });

  it('registers with {name, description, payload} and retrieves by name in the query string', async () => {
    const name = uniqueName('cuenta_palabras');
    const reg = await register({ name, description: 'Cuenta palabras', payload: 'faas-example/wordcount:latest' });
    expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
    expect(reg.body).to.include({ name, description: 'Cuenta palabras', image: 'faas-example/wordcount:latest', payload: 'faas-example/wordcount:latest' });
    expect(reg.body).to.include({ timeoutSeconds: 60, memoryMb: 256, cpus: 0.5, network: 'none', revision: 1 });

    const got = await request<Legacy>(`${registry.url}/retrieve?name=${name}`, { token: user.token });
    expect(got.status).to.equal(200);
    expect(got.body).to.deep.equal(reg.body);
    const native = await request<FunctionDefinition>(`${registry.url}/functions/${name}`, { token: user.token });
    const { payload: _payload, ...definition } = reg.body;
    expect(native.body).to.deep.equal(definition);
  });

  it('refuses a duplicate registration with 409, as the native route does', async () => {
    const name = uniqueName('MyFunction');
    expect((await register({ name, description: 'one', payload: 'busybox' })).status).to.equal(201);
    const dup = await register({ name, description: 'two', payload: 'busybox' });
    expect(dup.status).to.equal(409);
    expect(errorOf(dup).code).to.equal('CONFLICT');
  });

  it('lists with /list, each item carrying payload', async () => {
    const other = await registry.newUser();
    const name = uniqueName('listed');
    await request(`${registry.url}/register`, { body: { name, description: '', payload: 'busybox:1.36' }, token: other.token });
    const res = await request<{ items: Legacy[]; nextCursor: string | null }>(`${registry.url}/list`, { token: other.token });
    expect(res.status).to.equal(200);
    expect(res.body.items.map((f) => [f.name, f.payload])).to.deep.equal([[name, 'busybox:1.36']]);
    expect(res.body.nextCursor).to.equal(null);
  });

  it('deletes with the name in the query string or in the JSON body', async () => {
    const inQuery = uniqueName('q');
    const inBody = uniqueName('b');
    await register({ name: inQuery, description: '', payload: 'busybox' });
    await register({ name: inBody, description: '', payload: 'busybox' });
    const byQuery = await request(`${registry.url}/delete?name=${inQuery}`, { method: 'DELETE', token: user.token });
    expect(byQuery.status).to.equal(204);
    const byBody = await request(`${registry.url}/delete`, { method: 'DELETE', body: { name: inBody }, token: user.token });
    expect(byBody.status).to.equal(204);
    for (const name of [inQuery, inBody]) {
      expect((await request(`${registry.url}/retrieve?name=${name}`, { token: user.token })).status).to.equal(404);
    }
  });

  it('refuses bad alias input with 400: missing payload, bad image, missing or invalid name', async () => {
    const codes = await Promise.all([
      register({ name: uniqueName('x'), description: 'no payload' }),
      register({ name: uniqueName('x'), description: '', payload: 'UPPER/case' }),
      request(`${registry.url}/retrieve`, { token: user.token }),
      request(`${registry.url}/retrieve?name=a.b`, { token: user.token }),
      request(`${registry.url}/delete`, { method: 'DELETE', token: user.token }),
      request(`${registry.url}/delete?name=a*`, { method: 'DELETE', token: user.token }),
    ]);
    expect(codes.map((r) => r.status)).to.deep.equal([400, 400, 400, 400, 400, 400]);
  });

  it('answers 401 on every alias without a token', async () => {
    const codes = await Promise.all([
      request(`${registry.url}/register`, { body: { name: 'x', payload: 'busybox' } }),
      request(`${registry.url}/list`),
      request(`${registry.url}/retrieve?name=x`),
      request(`${registry.url}/delete?name=x`, { method: 'DELETE' }),
    ]);
    expect(codes.map((r) => r.status)).to.deep.equal([401, 401, 401, 401]);
  });
});
