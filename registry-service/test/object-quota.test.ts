import { request } from '@faas/testing';
import { expect } from 'chai';
import { errorOf, startRegistry, type RegistryUnderTest, type TestUser } from './helpers.js';
import { pseudoRandom, upload } from './object-helpers.js';

type Listing = { items: { name: string; size: number }[] };

const QUOTA = 600_000;
/** The Object Store's chunk: the least an object is charged. */
const OBJECT_CHUNK_BYTES = 128 * 1024;

describe('registry: the object quota is reserved atomically, per object and per user (issue 21)', function () {
  this.timeout(60_000);
  let registry: RegistryUnderTest;
  before(async () => {
    registry = await startRegistry({ MAX_OBJECT_BYTES: '600000', MAX_OBJECT_BYTES_PER_USER: String(QUOTA) });
  });
  after(() => registry.close());
  const url = (name: string): string => `${registry.url}/objects/${name}`;
  const listed = async (user: TestUser): Promise<Listing['items']> => (await request<Listing>(`${registry.url}/objects`, { token: user.token })).body.items;

  it('lets parallel uploads that each fit, but not together, store at most the quota', async () => {
    const user = await registry.newUser();
    const statuses = await Promise.all([1, 2, 3, 4, 5].map(async (i) => (await upload(url(`p${i}`), user.token, Buffer.alloc(250_000, i))).status));
    expect(statuses.filter((s) => s === 201), JSON.stringify(statuses)).to.have.length(2);
    expect(statuses.filter((s) => s === 413)).to.have.length(3);
    const total = (await listed(user)).reduce((sum, o) => sum + o.size, 0);
    expect(total).to.equal(500_000);
  });

  it('lets parallel chunked uploads (no content-length) store at most the quota, and gives back what they did not use', async () => {
    const user = await registry.newUser();
    const statuses = await Promise.all([1, 2, 3, 4].map(async (i) => (await upload(url(`c${i}`), user.token, pseudoRandom(300_000, `c${i}`, 64 * 1024))).status));
    expect(statuses.filter((s) => s !== 201 && s !== 413), JSON.stringify(statuses)).to.deep.equal([]);
    const total = (await listed(user)).reduce((sum, o) => sum + o.size, 0);
    expect(total).to.be.at.most(QUOTA);
    expect(statuses.filter((s) => s === 201).length, JSON.stringify(statuses)).to.be.at.least(1);
    // Once they are over, what is left is what the stored objects do not take: one more fits exactly.
    const left = QUOTA - total;
    if (left >= OBJECT_CHUNK_BYTES) expect((await upload(url('rest'), user.token, Buffer.alloc(left))).status).to.equal(201);
    expect((await upload(url('one-more'), user.token, Buffer.alloc(1))).status).to.equal(413);
  });

  it('charges an empty object one chunk, so empty objects cannot be stored without end', async () => {
    const user = await registry.newUser();
    const fits = Math.floor(QUOTA / OBJECT_CHUNK_BYTES);
    for (let i = 0; i < fits; i++) expect((await upload(url(`e${i}`), user.token, Buffer.alloc(0))).status, `empty ${i}`).to.equal(201);
    const over = await upload(url('e-over'), user.token, Buffer.alloc(0));
    expect(over.status).to.equal(413);
    expect(errorOf(over).message).to.match(/quota/);
  });

  it('sets max_bytes on both object buckets (OBJECTS_MAX_BYTES, OUTPUTS_MAX_BYTES)', async () => {
    const jsm = await registry.nc.jetstreamManager();
    expect((await jsm.streams.info('OBJ_objects')).config.max_bytes).to.equal(registry.config.objects.uploadsMaxBytes);
    expect((await jsm.streams.info('OBJ_execution-outputs')).config.max_bytes).to.equal(registry.config.objects.outputsMaxBytes);
  });
});

describe('registry: the objects a user keeps are capped (MAX_OBJECTS_PER_USER)', function () {
  this.timeout(60_000);
  let registry: RegistryUnderTest;
  before(async () => {
    registry = await startRegistry({ MAX_OBJECTS_PER_USER: '5' });
  });
  after(() => registry.close());
  const url = (name: string): string => `${registry.url}/objects/${name}`;
  const listed = async (user: TestUser): Promise<Listing['items']> => (await request<Listing>(`${registry.url}/objects`, { token: user.token })).body.items;

  it('caps the objects a user keeps (MAX_OBJECTS_PER_USER), replacing one still works, deleting one frees a place', async () => {
    const user = await registry.newUser();
    for (let i = 0; i < 5; i++) expect((await upload(url(`n${i}`), user.token, Buffer.from('x'))).status).to.equal(201);
    const sixth = await upload(url('n5'), user.token, Buffer.from('x'));
    expect(sixth.status).to.equal(413);
    expect(errorOf(sixth).message).to.match(/MAX_OBJECTS_PER_USER/);
    expect((await upload(url('n0'), user.token, Buffer.from('replaced'))).status, 'a replacement is not a new object').to.equal(201);
    expect((await request(url('n1'), { method: 'DELETE', token: user.token })).status).to.equal(204);
    expect((await upload(url('n5'), user.token, Buffer.from('x'))).status).to.equal(201);
    expect((await listed(user)).map((o) => o.name).sort()).to.deep.equal(['n0', 'n2', 'n3', 'n4', 'n5']);
  });

});

describe('registry: a full uploads bucket refuses with 507 and keeps every other store writable', function () {
  this.timeout(60_000);
  let registry: RegistryUnderTest;
  let defaults: RegistryUnderTest['config']['objects'];
  before(async () => {
    const probe = await startRegistry();
    defaults = probe.config.objects;
    const used = (await (await probe.nc.jetstreamManager()).streams.info('OBJ_objects')).state.bytes;
    await probe.close();
    registry = await startRegistry({ OBJECTS_MAX_BYTES: String(used + 1024 * 1024), MAX_OBJECT_BYTES_PER_USER: String(64 * 1024 * 1024) });
  });
  after(async () => {
    // The bucket is shared by the run's other tests: its cap goes back to the default.
    await (await registry.nc.jetstreamManager()).streams.update('OBJ_objects', { max_bytes: defaults.uploadsMaxBytes });
    await registry.close();
  });

  it('answers 507 STORAGE_FULL past the bucket cap, stores nothing, and a delete makes room again', async () => {
    const user = await registry.newUser();
    const first = await upload(`${registry.url}/objects/fill`, user.token, Buffer.alloc(700_000, 1));
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const full = await upload(`${registry.url}/objects/more`, user.token, Buffer.alloc(700_000, 2));
    expect(full.status, JSON.stringify(full.body)).to.equal(507);
    expect(errorOf(full).code).to.equal('STORAGE_FULL');
    const names = (await request<Listing>(`${registry.url}/objects`, { token: user.token })).body.items.map((o) => o.name);
    expect(names).to.deep.equal(['fill']);
    expect((await request(`${registry.url}/objects/fill`, { method: 'DELETE', token: user.token })).status).to.equal(204);
    expect((await upload(`${registry.url}/objects/more`, user.token, Buffer.alloc(700_000, 2))).status).to.equal(201);
    await request(`${registry.url}/objects/more`, { method: 'DELETE', token: user.token });
  });
});
