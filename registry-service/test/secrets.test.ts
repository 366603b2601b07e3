import { BUCKETS, openBucket, type FunctionDefinition } from '@faas/common';
import { request, tempSecretsKeyFile, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, errorOf, functionBody, startRegistry, type RegistryUnderTest, type TestUser } from './helpers.js';

type Meta = { name: string; version: number; createdAt: string; updatedAt: string };
const secretName = (): string => uniqueName('S').toUpperCase().replace(/-/g, '_');

describe('registry: secrets per user', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  before(async () => {
    registry = await startRegistry({ SECRETS_KEY_FILE: tempSecretsKeyFile() });
    user = await registry.newUser();
  });
  after(() => registry.close());

  const create = (body: unknown, who = user) => request<Meta>(`${registry.url}/secrets`, { body, token: who.token });

  it('creates, lists, reads, replaces and deletes, answering metadata and never the value', async () => {
    const name = secretName();
    const value = `value-${uniqueName()}`;
    const created = await create({ name, value });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.headers.get('location')).to.equal(`/registry/secrets/${name}`);
    expect(Object.keys(created.body).sort()).to.deep.equal(['createdAt', 'name', 'updatedAt', 'version']);
    expect(created.body).to.include({ name, version: 1 });

    const list = await request<{ items: Meta[] }>(`${registry.url}/secrets`, { token: user.token });
    expect(list.body.items.map((s) => s.name)).to.include(name);
    const read = await request<Meta>(`${registry.url}/secrets/${name}`, { token: user.token });
    expect(read.body).to.deep.equal(created.body);

    const replaced = await request<Meta>(`${registry.url}/secrets/${name}`, { method: 'PUT', body: { value: 'other' }, token: user.token });
    expect(replaced.status).to.equal(200);
    expect(replaced.body).to.include({ name, version: 2, createdAt: created.body.createdAt });
    for (const res of [created, list, read, replaced]) expect(JSON.stringify(res.body)).to.not.include(value);

    expect((await request(`${registry.url}/secrets/${name}`, { method: 'DELETE', token: user.token })).status).to.equal(204);
    expect((await request(`${registry.url}/secrets/${name}`, { token: user.token })).status).to.equal(404);
  });

  it('stores only ciphertext in the bucket, bound to its key', async () => {
    const name = secretName();
    const value = `plain-${uniqueName()}`;
    await create({ name, value });
    const kv = await openBucket(registry.nc, BUCKETS.secrets, { replicas: 3, leaderReads: true });
    const raw = (await kv.get(`${user.id}.${name}`))?.string() ?? '';
    expect(raw).to.include('"ciphertext"').and.include('"kid":"test-1"');
    expect(raw).to.not.include(value);
  });

  it('refuses bad names, non-string and oversized values with 4xx JSON that never echoes the value', async () => {
    for (const name of ['lower', '1START', 'A-B', 'A'.repeat(65), '', 42]) {
      const res = await create({ name, value: 'v' });
      expect(res.status, String(name)).to.equal(400);
      expect(errorOf(res).code).to.equal('VALIDATION_FAILED');
    }
    expect((await create({ name: secretName(), value: 42 })).status).to.equal(400);
    expect((await create({ name: secretName(), value: 'v', extra: 1 })).status).to.equal(400);
    expect((await create({ name: secretName(), value: 'a\u0000b' })).status).to.equal(400);
    const big = await create({ name: secretName(), value: 'x'.repeat(64 * 1024 + 1) });
    expect(big.status).to.equal(413);
    expect(errorOf(big).message).to.not.include('xxxx');
    expect((await create({ name: secretName(), value: 'x'.repeat(64 * 1024) })).status).to.equal(201);
    expect((await request(`${registry.url}/secrets/bad-name`, { token: user.token })).status).to.equal(400);
    const name = secretName();
    await create({ name, value: 'v' });
    expect((await create({ name, value: 'again' })).status).to.equal(409);
  });

  it("treats another user's secret as absent: 404 on read, replace and delete", async () => {
    const name = secretName();
    await create({ name, value: 'mine' });
    const other = await registry.newUser();
    expect((await request(`${registry.url}/secrets/${name}`, { token: other.token })).status).to.equal(404);
    expect((await request(`${registry.url}/secrets/${name}`, { method: 'PUT', body: { value: 'x' }, token: other.token })).status).to.equal(404);
    expect((await request(`${registry.url}/secrets/${name}`, { method: 'DELETE', token: other.token })).status).to.equal(404);
    expect((await request(`${registry.url}/secrets/${name}`, { token: user.token })).body).to.include({ version: 1 });
  });

  it('lets a function declare the secrets its owner has, and names the missing ones in a 400', async () => {
    const have = secretName();
    await create({ name: have, value: 'v' });
    const fn = await createFunction(registry, user, { secrets: [have] });
    expect(fn.secrets).to.deep.equal([have]);

    const missing = secretName();
    const refused = await request(`${registry.url}/functions`, { body: functionBody({ secrets: [have, missing] }), token: user.token });
    expect(refused.status).to.equal(400);
    expect(errorOf(refused).message).to.include(missing).and.not.include(`${have},`);

    const other = await registry.newUser();
    const theirs = await request(`${registry.url}/functions`, { body: functionBody({ secrets: [have] }), token: other.token });
    expect(theirs.status, "another user's secret is not yours to use").to.equal(400);
    expect(errorOf(theirs).message).to.include(have);

    const put = await request<FunctionDefinition>(`${registry.url}/functions/${fn.name}`, {
      method: 'PUT', body: { image: fn.image, secrets: [missing] }, token: user.token,
    });
    expect(put.status).to.equal(400);
    for (const bad of [['lower'], 'DB_URL', [have, have]]) {
      expect((await request(`${registry.url}/functions`, { body: functionBody({ secrets: bad }), token: user.token })).status).to.equal(400);
    }
  });

  it('refuses an env key that is also a declared secret, on create, replace and the alias route, with 400 naming it', async () => {
    const name = secretName();
    await create({ name, value: 'sealed' });
    const shadowing = { env: { [name]: 'plain', OTHER: 'x' }, secrets: [name] };
    const created = await request(`${registry.url}/functions`, { body: functionBody(shadowing), token: user.token });
    expect(created.status, JSON.stringify(created.body)).to.equal(400);
    expect(errorOf(created).message).to.include(name).and.include('env').and.not.include('OTHER');

    const fn = await createFunction(registry, user, { secrets: [name] });
    const put = await request(`${registry.url}/functions/${fn.name}`, { method: 'PUT', body: { image: fn.image, ...shadowing }, token: user.token });
    expect(put.status).to.equal(400);
    expect(errorOf(put).message).to.include(name);
    const kept = await request<FunctionDefinition>(`${registry.url}/functions/${fn.name}`, { token: user.token });
    expect(kept.body.env).to.deep.equal(fn.env);

    const alias = await request(`${registry.url}/register`, { body: { name: uniqueName('alias-fn'), payload: fn.image, ...shadowing }, token: user.token });
    expect(alias.status).to.equal(400);
  });
});

describe('registry: secrets without SECRETS_KEY_FILE', () => {
  let registry: RegistryUnderTest;
  before(async () => (registry = await startRegistry()));
  after(() => registry.close());

  it('answers 503 with JSON rather than storing a value it cannot seal', async () => {
    const user = await registry.newUser();
    const res = await request(`${registry.url}/secrets`, { body: { name: 'DB_URL', value: 'v' }, token: user.token });
    expect(res.status).to.equal(503);
    expect(errorOf(res).message).to.include('SECRETS_KEY_FILE');
  });
});
