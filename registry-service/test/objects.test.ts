import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { issueToken } from '@faas/common';
import { eventually, freePort, request, tempSecretFile, testNatsUrls, uniqueName } from '@faas/testing';
import { spawn } from 'node:child_process';
import { loadRegistryConfig } from '../src/config.js';
import { expect } from 'chai';
import { errorOf, startRegistry, type RegistryUnderTest, type TestUser } from './helpers.js';
import { digestOf, downloadDigest, pseudoRandom, upload } from './object-helpers.js';

type Listing = { items: { name: string; size: number }[]; nextCursor: string | null };

describe('registry: objects are streamed in and out, per user', function () {
  this.timeout(120_000);
  let registry: RegistryUnderTest;
  let alice: TestUser;
  let mallory: TestUser;
  before(async () => {
    registry = await startRegistry();
    [alice, mallory] = await Promise.all([registry.newUser(), registry.newUser()]);
  });
  after(() => registry.close());

  const url = (name: string): string => `${registry.url}/objects/${name}`;
  const names = async (user: TestUser): Promise<string[]> =>
    (await request<Listing>(`${registry.url}/objects?limit=200`, { token: user.token })).body.items.map((i) => i.name);

  it('stores, serves with content-length, etag and content-type, lists and deletes a path-like object', async () => {
    const name = `${uniqueName('data')}/2026/in.csv`;
    const put = await upload(url(name), alice.token, Buffer.from('a,b\n1,2\n'), { 'content-type': 'text/csv' });
    expect(put.status, JSON.stringify(put.body)).to.equal(201);
    expect(put.body).to.include({ name, size: 8, contentType: 'text/csv' });
    const res = await fetch(url(name), { headers: { authorization: `Bearer ${alice.token}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/csv');
    expect(res.headers.get('content-length')).to.equal('8');
    expect(res.headers.get('etag')).to.equal(`"${String(put.body.digest)}"`);
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(await res.text()).to.equal('a,b\n1,2\n');
    expect(await names(alice)).to.include(name);
    expect((await request(url(name), { method: 'DELETE', token: alice.token })).status).to.equal(204);
    expect((await request(url(name), { token: alice.token })).status).to.equal(404);
    expect(await names(alice)).to.not.include(name);
  });

  it("answers 404 to another user's object and never lists it", async () => {
    const name = uniqueName('secret');
    expect((await upload(url(name), alice.token, Buffer.from('alice only'))).status).to.equal(201);
    for (const method of ['GET', 'DELETE']) {
      const res = await request(url(name), { method, token: mallory.token });
      expect(res.status, method).to.equal(404);
      expect(errorOf(res).code).to.equal('NOT_FOUND');
    }
    expect(await names(mallory)).to.not.include(name);
    expect((await request(url(name), { token: alice.token })).status, 'the owner still has it').to.equal(200);
  });

  it('refuses bad names with a 400 and stores nothing', async () => {
    const tag = uniqueName('bad');
    const bad = [`${tag}/../x`, `%2F${tag}`, `${tag}/`, `${tag}//x`, `${tag}%00x`, `${tag}/${'a'.repeat(256)}`, `${tag}/sp%20ace`, 'executions/x/y'];
    for (const name of bad) {
      const put = await upload(`${registry.url}/objects/${name}`, alice.token, Buffer.from('x'));
      expect(put.status, `${name}: ${JSON.stringify(put.body)}`).to.equal(400);
    }
    expect((await names(alice)).filter((n) => n.includes(tag))).to.deep.equal([]);
  });

  it('keeps outputs in a bucket whose entries expire with the execution records (EXECUTION_TTL_SECONDS)', async () => {
    const jsm = await registry.nc.jetstreamManager();
    const outputs = await jsm.streams.info('OBJ_execution-outputs');
    expect(outputs.config.max_age / 1e6, 'ms').to.equal(registry.config.objects.outputsTtlMs);
    const uploads = await jsm.streams.info('OBJ_objects');
    expect(uploads.config.max_age, 'uploads never expire').to.equal(0);
    expect(outputs.config.num_replicas).to.equal(registry.config.natsReplicas);
  });

  it('pages the listing with a cursor', async () => {
    const prefix = uniqueName('page');
    for (const i of [1, 2, 3]) expect((await upload(url(`${prefix}/${i}`), alice.token, Buffer.from(String(i)))).status).to.equal(201);
    const first = await request<Listing>(`${registry.url}/objects?limit=2&prefix=${prefix}/`, { token: alice.token });
    expect(first.body.items.map((i) => i.name)).to.deep.equal([`${prefix}/1`, `${prefix}/2`]);
    const second = await request<Listing>(`${registry.url}/objects?limit=2&prefix=${prefix}/&cursor=${String(first.body.nextCursor)}`, { token: alice.token });
    expect(second.body).to.deep.include({ nextCursor: null });
    expect(second.body.items.map((i) => i.name)).to.deep.equal([`${prefix}/3`]);
  });
});

describe('registry: object size caps and the per-user quota', function () {
  this.timeout(60_000);
  let registry: RegistryUnderTest;
  before(async () => {
    registry = await startRegistry({ MAX_OBJECT_BYTES: '300000', MAX_OBJECT_BYTES_PER_USER: '500000' });
  });
  after(() => registry.close());
  const url = (name: string): string => `${registry.url}/objects/${name}`;
  const listed = async (user: TestUser): Promise<Record<string, number>> =>
    Object.fromEntries((await request<Listing>(`${registry.url}/objects`, { token: user.token })).body.items.map((i) => [i.name, i.size]));

  it('answers 413 above MAX_OBJECT_BYTES, declared or streamed, and keeps the object it would have replaced', async () => {
    const user = await registry.newUser();
    expect((await upload(url('keep'), user.token, Buffer.from('old'))).status).to.equal(201);
    const declared = await upload(url('keep'), user.token, Buffer.alloc(300_001));
    expect(declared.status).to.equal(413);
    const streamed = await upload(url('keep'), user.token, pseudoRandom(400_000, 'x', 64 * 1024));
    expect(streamed.status, 'chunked, no content-length').to.equal(413);
    expect((await upload(url('new'), user.token, pseudoRandom(400_000, 'y', 64 * 1024))).status).to.equal(413);
    expect(await listed(user)).to.deep.equal({ keep: 3 });
    const kept = await request(url('keep'), { token: user.token });
    expect(kept.body).to.equal('old');
  });

  it('answers 413 past the per-user quota; replacing an object frees its old size; other users are unaffected', async () => {
    const [user, other] = await Promise.all([registry.newUser(), registry.newUser()]);
    expect((await upload(url('a'), user.token, Buffer.alloc(250_000))).status).to.equal(201);
    expect((await upload(url('b'), user.token, Buffer.alloc(200_000))).status).to.equal(201);
    const over = await upload(url('c'), user.token, pseudoRandom(100_000, 'c', 16 * 1024));
    expect(over.status).to.equal(413);
    expect(errorOf(over).message).to.match(/quota/);
    expect((await upload(url('a'), user.token, Buffer.alloc(290_000))).status, 'a replaced within the quota').to.equal(201);
    expect(await listed(user)).to.deep.equal({ a: 290_000, b: 200_000 });
    expect((await upload(url('c'), other.token, Buffer.alloc(250_000))).status).to.equal(201);
  });

  it('stores nothing of an upload cut off mid-body', async () => {
    const user = await registry.newUser();
    const chunks = async (): Promise<number> => (await registry.nc.jetstreamManager()).streams.info('OBJ_objects').then((i) => i.state.messages);
    const before = await chunks();
    await new Promise<void>((resolve) => {
      const req = httpRequest(url('cut'), { method: 'PUT', headers: { authorization: `Bearer ${user.token}`, 'content-length': '290000' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(200_000), () => req.destroy());
      req.on('close', () => resolve());
    });
    const deadline = Date.now() + 10_000;
    while ((await chunks()) !== before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await chunks(), 'no chunk of the cut upload is left in the bucket').to.equal(before);
    expect(await listed(user)).to.deep.equal({});
  });
});

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

/** The resident set of a process, from /proc (Linux). */
const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;

describe('registry: a 150 MiB object is streamed through the service process', function () {
  this.timeout(180_000);

  // The bound tells streaming from buffering only when the object is well above it: Node 24's young
  // generation alone can hold ~65 MiB of garbage (a 50 MiB object under a 50 MiB bound failed on it).
  it('round-trips 150 MiB identical by digest while the service process grows by less than 100 MiB', async () => {
    const port = await freePort();
    const env = {
      PORT: String(port), NATS_URL: testNatsUrls().join(','), JWT_SECRET_FILE: tempSecretFile(), LOG_LEVEL: 'silent',
      MAX_OBJECT_BYTES: String(256 * 1024 * 1024),
    };
    const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const url = `http://127.0.0.1:${port}/registry`;
      await eventually(async () => ((await request(`${url}/ready`)).status === 200 ? true : undefined), 30_000, 100);
      const { token } = await issueToken(loadRegistryConfig(env).token, { id: randomUUID(), username: uniqueName('u'), role: 'user' });
      // Warm the paths up first: the baseline is the service as it runs, not as it started.
      expect((await upload(`${url}/objects/warmup`, token, Buffer.alloc(1024 * 1024))).status).to.equal(201);
      expect((await downloadDigest(`${url}/objects/warmup`, token)).status).to.equal(200);
      const size = 150 * 1024 * 1024;
      const name = uniqueName('big');
      const expected = await digestOf(pseudoRandom(size, name));
      const pid = child.pid ?? 0;
      const baseline = rssOf(pid);
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
      try {
        const put = await upload(`${url}/objects/${name}`, token, pseudoRandom(size, name), { 'content-type': 'application/octet-stream' });
        expect(put.status, JSON.stringify(put.body)).to.equal(201);
        expect(put.body.size).to.equal(size);
        const got = await downloadDigest(`${url}/objects/${name}`, token);
        expect(got.status).to.equal(200);
        expect(got).to.include({ bytes: size, sha256: expected.sha256 });
      } finally {
        clearInterval(sampler);
      }
      expect(peak - baseline, `the service's RSS grew by ${((peak - baseline) / 1048576).toFixed(1)} MiB`).to.be.below(100 * 1024 * 1024);
      await request(`${url}/objects/${name}`, { method: 'DELETE', token });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
