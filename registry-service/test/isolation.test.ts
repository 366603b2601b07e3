import type { FunctionDefinition } from '@faas/common';
import { request } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, errorOf, startRegistry, type RegistryUnderTest, type TestUser } from './helpers.js';

describe("registry: a user never sees another user's functions", () => {
  let registry: RegistryUnderTest;
  let alice: TestUser;
  let mallory: TestUser;
  let secret: FunctionDefinition;
  before(async () => {
    registry = await startRegistry();
    [alice, mallory] = await Promise.all([registry.newUser(), registry.newUser()]);
    secret = await createFunction(registry, alice, { env: { API_KEY: 'alice-only' } });
  });
  after(() => registry.close());

  const expect404 = (res: { status: number; body: unknown }): void => {
    expect(res.status, JSON.stringify(res.body)).to.equal(404);
    expect(errorOf(res).code).to.equal('NOT_FOUND');
  };

  it("answers 404 to GET, PUT and DELETE of another user's function, on native and alias routes", async () => {
    const url = `${registry.url}/functions/${secret.name}`;
    expect404(await request(url, { token: mallory.token }));
    expect404(await request(url, { method: 'PUT', body: { image: 'evil/image:1' }, token: mallory.token }));
    expect404(await request(url, { method: 'DELETE', token: mallory.token }));
    expect404(await request(`${registry.url}/retrieve?name=${secret.name}`, { token: mallory.token }));
    expect404(await request(`${registry.url}/delete?name=${secret.name}`, { method: 'DELETE', token: mallory.token }));
  });

  it("leaves the owner's function untouched after another user's attempts", async () => {
    const read = await request<FunctionDefinition>(`${registry.url}/functions/${secret.name}`, { token: alice.token });
    expect(read.status).to.equal(200);
    expect(read.body).to.deep.equal(secret);
  });

  it("lists only the caller's functions", async () => {
    const list = await request<{ items: FunctionDefinition[] }>(`${registry.url}/functions`, { token: mallory.token });
    expect(list.status).to.equal(200);
    expect(list.body.items).to.deep.equal([]);
    const aliasList = await request<{ items: FunctionDefinition[] }>(`${registry.url}/list`, { token: mallory.token });
    expect(aliasList.body.items).to.deep.equal([]);
    const own = await request<{ items: FunctionDefinition[] }>(`${registry.url}/functions`, { token: alice.token });
    expect(own.body.items.map((f) => f.name)).to.deep.equal([secret.name]);
  });

  it('lets two users own functions of the same name independently', async () => {
    const mine = await createFunction(registry, mallory, { name: secret.name, image: 'mallory/fn:1' });
    expect(mine.userId).to.equal(mallory.id);
    const hers = await request<FunctionDefinition>(`${registry.url}/functions/${secret.name}`, { token: alice.token });
    expect(hers.body.image).to.equal(secret.image);
    const del = await request(`${registry.url}/functions/${secret.name}`, { method: 'DELETE', token: mallory.token });
    expect(del.status).to.equal(204);
    expect((await request(`${registry.url}/functions/${secret.name}`, { token: alice.token })).status).to.equal(200);
  });

  it('refuses a token signed with another secret (401)', async () => {
    const other = await startRegistry();
    try {
      const stranger = await other.newUser();
      const res = await request(`${registry.url}/functions`, { token: stranger.token });
      expect(res.status).to.equal(401);
    } finally {
      await other.close();
    }
  });
});
