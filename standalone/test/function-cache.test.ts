import { BUCKETS, connectNats, createLogger, openBucket, SUBJECTS, STREAMS, type ExecutionRequest, type FunctionDefinition } from '@faas/common';
import { createFunctionCache, createRegistryClient, type CallerContext, type FunctionCache } from '@faas/publisher-service';
import { eventually, rejection, request, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { NatsConnection } from 'nats';
import type { Platform } from '../src/platform.js';
import { IMAGES, newUser, startTestPlatform, type TestUser } from './helpers.js';

const logger = createLogger('function-cache-test', 'silent');
const idOf = (user: TestUser): string => (JSON.parse(Buffer.from(user.token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;
const callerOf = (user: TestUser): CallerContext => ({ principal: { id: idOf(user) }, token: user.token, requestId: uniqueName('req') });

describe('publisher: function definitions cached by a watch on the functions bucket', function () {
  this.timeout(60_000);
  let platform: Platform;
  let base: string;
  let nc: NatsConnection;
  let cache: FunctionCache;

  const newCache = async (conn: NatsConnection): Promise<FunctionCache> => {
    const kv = await openBucket(conn, BUCKETS.functions, { replicas: 3, leaderReads: true });
    const made = createFunctionCache({ kv, fallback: createRegistryClient({ baseUrl: base, timeoutMs: 5_000 }), nc: conn, logger });
    await eventually(() => (made.initialized() ? true : undefined));
    return made;
  };
  const fnUrl = (name: string): string => `${base}/registry/functions/${name}`;
  const create = async (user: TestUser, body: Record<string, unknown>): Promise<FunctionDefinition> => {
    const res = await request<FunctionDefinition>(`${base}/registry/functions`, { token: user.token, body });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  };
  const replace = async (user: TestUser, name: string, body: Record<string, unknown>): Promise<FunctionDefinition> => {
    const res = await request<FunctionDefinition>(fnUrl(name), { method: 'PUT', token: user.token, body });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };
  const cachedRevision = (c: FunctionCache, user: TestUser, name: string, revision: number): Promise<true> =>
    eventually(() => (c.peek(idOf(user), name)?.revision === revision ? true : undefined));

  before(async () => {
    platform = await startTestPlatform({ STANDALONE_SPAWNER: 'false' });
    base = platform.baseUrl;
    nc = await connectNats({ servers: testNatsUrls(), name: 'function-cache-test', logger });
    cache = await newCache(nc);
  });
  after(async () => {
    cache?.stop();
    await nc?.close();
    await platform?.stop();
  });

  it('answers every lookup after an update event with that update', async () => {
    const user = await newUser(base);
    const name = uniqueName('fn');
    await create(user, { name, image: IMAGES.echo });
    for (let revision = 2; revision <= 4; revision++) {
      const image = `faas-test/echo:v${revision}`;
      await replace(user, name, { image, warm: revision % 2 === 0 });
      await cachedRevision(cache, user, name, revision);
      const fn = await cache.getFunction(name, callerOf(user));
      expect(fn).to.include({ revision, image, warm: revision % 2 === 0 });
    }
  });

  it('answers 404 for a function once its delete event arrived', async () => {
    const user = await newUser(base);
    const { name } = await create(user, { name: uniqueName('fn'), image: IMAGES.echo });
    await cachedRevision(cache, user, name, 1);
    expect((await request(fnUrl(name), { method: 'DELETE', token: user.token })).status).to.equal(204);
    await eventually(() => (cache.peek(idOf(user), name) === undefined ? true : undefined));
    expect((await rejection(cache.getFunction(name, callerOf(user)))).code).to.equal('NOT_FOUND');
  });

  it('finds a function created a moment ago, before or after its event arrived', async () => {
    const user = await newUser(base);
    for (let i = 0; i < 5; i++) {
      const created = await create(user, { name: uniqueName('fresh'), image: IMAGES.echo });
      expect(await cache.getFunction(created.name, callerOf(user))).to.deep.equal(created);
    }
  });

  it('asks the registry for everything while its watch is down', async () => {
    const down = await newCache(nc);
    down.stop();
    const user = await newUser(base);
    const created = await create(user, { name: uniqueName('fn'), image: IMAGES.echo });
    expect(down.peek(idOf(user), created.name)).to.equal(undefined);
    expect(await down.getFunction(created.name, callerOf(user))).to.deep.equal(created);
    const updated = await replace(user, created.name, { image: IMAGES.uppercase });
    expect(await down.getFunction(created.name, callerOf(user))).to.deep.equal(updated);
    expect((await rejection(down.getFunction(uniqueName('missing'), callerOf(user)))).code).to.equal('NOT_FOUND');
  });

  it("never returns another user's function of the same name", async () => {
    const [alice, bob, carol] = await Promise.all([newUser(base), newUser(base), newUser(base)]);
    const name = uniqueName('shared');
    await create(alice, { name, image: IMAGES.echo });
    await create(bob, { name, image: IMAGES.uppercase });
    await cachedRevision(cache, alice, name, 1);
    await cachedRevision(cache, bob, name, 1);
    expect(await cache.getFunction(name, callerOf(alice))).to.include({ userId: idOf(alice), image: IMAGES.echo });
    expect(await cache.getFunction(name, callerOf(bob))).to.include({ userId: idOf(bob), image: IMAGES.uppercase });
    expect((await rejection(cache.getFunction(name, callerOf(carol)))).code).to.equal('NOT_FOUND');
    // A caller whose id is not a valid key token never reads the cache; the registry refuses it.
    const forged = { ...callerOf(carol), principal: { id: `${idOf(alice)}.x` } };
    expect(cache.peek(`${idOf(alice)}.x`, name)).to.equal(undefined);
    await rejection(cache.getFunction(name, forged));
  });

  it('watches again after its NATS connection reconnects, and sees later updates', async () => {
    const own = await connectNats({ servers: testNatsUrls(), name: 'function-cache-reconnect', logger });
    const reconnecting = await newCache(own);
    try {
      const user = await newUser(base);
      const { name } = await create(user, { name: uniqueName('fn'), image: IMAGES.echo });
      await cachedRevision(reconnecting, user, name, 1);
      await own.reconnect();
      await replace(user, name, { image: IMAGES.uppercase });
      // A bound for the test, not a figure: the watch comes back after its backoff and a replay.
      await eventually(() => (reconnecting.peek(idOf(user), name)?.revision === 2 ? true : undefined), 30_000);
      expect(await reconnecting.getFunction(name, callerOf(user))).to.include({ revision: 2, image: IMAGES.uppercase });
    } finally {
      reconnecting.stop();
      await own.close();
    }
  });

  it("queues requests that carry the definition's revision and warm setting", async () => {
    const user = await newUser(base);
    const jsm = await nc.jetstreamManager();
    const queued = async (name: string, body: Record<string, unknown>): Promise<ExecutionRequest> => {
      await create(user, { name, image: IMAGES.echo, ...body });
      const res = await request<{ executionId: string }>(`${base}/publisher/executions`, { token: user.token, body: { name, argument: 'x' } });
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
      // No spawner runs here: read the message, then take it out of the work queue.
      const msg = await jsm.streams.getMessage(STREAMS.executions, { last_by_subj: SUBJECTS.exec(idOf(user)) });
      await jsm.streams.deleteMessage(STREAMS.executions, msg.seq);
      const sent = msg.json<ExecutionRequest>();
      expect(sent.id).to.equal(res.body.executionId);
      return sent;
    };
    expect(await queued(uniqueName('cold'), { warm: false })).to.include({ revision: 1, warm: false });
    const plain = await queued(uniqueName('plain'), {});
    expect(plain.revision).to.equal(1);
    expect(plain).to.not.have.property('warm');
  });
});
