import type { FunctionDefinition } from '@faas/common';
import { request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { createFunction, startRegistry, type RegistryUnderTest, type TestUser } from './helpers.js';

type Page = { items: FunctionDefinition[]; nextCursor: string | null };

describe('registry: listing', () => {
  let registry: RegistryUnderTest;
  let user: TestUser;
  let names: string[];
  before(async () => {
    registry = await startRegistry();
    user = await registry.newUser();
    const stem = uniqueName('ls');
    names = ['b', 'A', 'c_1', 'a', '9z', 'B-2', 'cuenta_palabras'].map((s) => `${s}${stem}`);
    await Promise.all(names.map((name) => createFunction(registry, user, { name })));
  });
  after(() => registry.close());

  const list = (query = '') => request<Page>(`${registry.url}/functions${query}`, { token: user.token });
  const sorted = (): string[] => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  it("lists the caller's functions sorted by name, with full definitions and no cursor at the end", async () => {
    const res = await list();
    expect(res.status).to.equal(200);
    expect(res.body.items.map((f) => f.name)).to.deep.equal(sorted());
    expect(res.body.nextCursor).to.equal(null);
    expect(res.body.items[0]).to.include({ userId: user.id, revision: 1, network: 'none' });
  });

  it('pages with limit and an opaque cursor, visiting every function once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=3' : `?limit=3&cursor=${encodeURIComponent(cursor)}`;
      const res = await list(query);
      expect(res.status).to.equal(200);
      expect(res.body.items.length).to.be.at.most(3);
      seen.push(...res.body.items.map((f) => f.name));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal(sorted());
  });

  it('leaves a deleted function out of the list', async () => {
    const gone = await createFunction(registry, user);
    await request(`${registry.url}/functions/${gone.name}`, { method: 'DELETE', token: user.token });
    const res = await list('?limit=200');
    expect(res.body.items.map((f) => f.name)).to.not.include(gone.name);
  });

  it('answers an empty list to a user with no functions', async () => {
    const other = await registry.newUser();
    const res = await request<Page>(`${registry.url}/functions`, { token: other.token });
    expect(res.body).to.deep.equal({ items: [], nextCursor: null });
  });
});
