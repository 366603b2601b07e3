import type { FunctionDefinition } from '@faas/common';
import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, errorOf, registryWithUser, type RegistryUnderTest, type TestUser } from './helpers.js';

describe('registry: create, read, update, delete', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  before(async () => ({ registry, user } = await registryWithUser()));
  after(() => registry.close());

  it('creates a function with the design defaults and reads back the full definition', async () => {
    const name = uniqueName('MyFunction');
    const created = await request<FunctionDefinition>(`${registry.url}/functions`, {
      body: { name, image: 'faas-example/wordcount:latest' },
      token: user.token,
    });
    expect(created.status).to.equal(201);
    expect(created.headers.get('location')).to.equal(`/registry/functions/${name}`);
    expect(created.body).to.include({
      userId: user.id, name, image: 'faas-example/wordcount:latest', description: '',
      timeoutSeconds: 60, memoryMb: 256, cpus: 0.5, network: 'none', revision: 1,
    });
    expect(created.body.env).to.deep.equal({});
    expect(created.body.secrets).to.deep.equal([]);
    expect(created.body.id).to.match(/^[0-9a-f-]{36}$/);
    expect(created.body.createdAt).to.equal(created.body.updatedAt);

    const read = await request<FunctionDefinition>(`${registry.url}/functions/${name}`, {
      token: user.token,
      headers: { 'x-request-id': 'publisher-req-1' },
    });
    expect(read.status).to.equal(200);
    expect(read.headers.get('x-request-id')).to.equal('publisher-req-1');
    expect(read.body).to.deep.equal(created.body);
    expect(Object.keys(read.body).sort()).to.deep.equal(
      ['cpus', 'createdAt', 'description', 'env', 'id', 'image', 'memoryMb', 'name', 'network', 'revision', 'secrets', 'timeoutSeconds', 'updatedAt', 'userId'],
    );
  });

  it('replaces a function on PUT, bumps the revision and keeps id and createdAt', async () => {
    const created = await createFunction(registry, user, { env: { GREETING: 'hi' }, timeoutSeconds: 5 });
    const put = await request<FunctionDefinition>(`${registry.url}/functions/${created.name}`, {
      method: 'PUT',
      body: { image: 'registry.local:5000/team/wordcount:2.0', description: 'v2', memoryMb: 128, cpus: 1 },
      token: user.token,
    });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect(put.body).to.include({
      id: created.id, name: created.name, createdAt: created.createdAt, revision: 2,
      image: 'registry.local:5000/team/wordcount:2.0', description: 'v2', memoryMb: 128, cpus: 1, timeoutSeconds: 60,
    });
    expect(put.body.env, 'a PUT replaces every settable field').to.deep.equal({});
    expect(put.body.updatedAt >= created.updatedAt).to.equal(true);
    const read = await request<FunctionDefinition>(`${registry.url}/functions/${created.name}`, { token: user.token });
    expect(read.body).to.deep.equal(put.body);
  });

  it('accepts a PUT of a definition as read by GET (read-only fields ignored)', async () => {
    const created = await createFunction(registry, user);
    const res = await request<FunctionDefinition>(`${registry.url}/functions/${created.name}`, {
      method: 'PUT',
      body: { ...created, id: 'forged', userId: 'someone-else', description: 'edited' },
      token: user.token,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ id: created.id, userId: user.id, description: 'edited', revision: 2 });
  });

  it('deletes a function with 204, then answers 404 and lets the name be registered again', async () => {
    const created = await createFunction(registry, user);
    const url = `${registry.url}/functions/${created.name}`;
    const del = await request(url, { method: 'DELETE', token: user.token });
    expect(del.status).to.equal(204);
    expect((await request(url, { token: user.token })).status).to.equal(404);
    expect(errorOf(await request(url, { method: 'DELETE', token: user.token })).code).to.equal('NOT_FOUND');
    const again = await createFunction(registry, user, { name: created.name });
    expect(again.revision).to.equal(1);
    expect(again.id).to.not.equal(created.id);
  });

  it('refuses a duplicate function name with 409 and keeps the original', async () => {
    const created = await createFunction(registry, user);
    const dup = await request(`${registry.url}/functions`, {
      body: { name: created.name, image: 'other/image:1' },
      token: user.token,
    });
    expect(dup.status).to.equal(409);
    expect(errorOf(dup).code).to.equal('CONFLICT');
    const read = await request<FunctionDefinition>(`${registry.url}/functions/${created.name}`, { token: user.token });
    expect(read.body).to.deep.equal(created);
  });

  it('answers 401 without a token on every verb', async () => {
    const url = `${registry.url}/functions`;
    const statuses = await Promise.all([
      request(url), request(url, { body: { name: 'x', image: 'y' } }), request(`${url}/x`),
      request(`${url}/x`, { method: 'PUT', body: {} }), request(`${url}/x`, { method: 'DELETE' }),
    ]);
    expect(statuses.map((r) => r.status)).to.deep.equal([401, 401, 401, 401, 401]);
  });

  it('serves health, readiness and metrics', async () => {
    expect((await request(`${registry.url}/health`)).body).to.deep.equal({ status: 'ok' });
    expect((await request(`${registry.url}/ready`)).body).to.deep.equal({ status: 'ready' });
    const metrics = await request(`${registry.url.replace(/\/registry$/, '')}/metrics`);
    expect(String(metrics.body)).to.include('http_requests_total');
  });
});
