import { expect } from 'chai';
import { AckPolicy, DeliverPolicy, connect, type KV, type NatsConnection } from 'nats';
import {
  BUCKETS,
  CONSUMERS,
  STREAMS,
  SUBJECTS,
  connectNats,
  createLogger,
  ensureExecutionsStream,
  NATS_PERMISSIONS,
  openBucket,
  openObjectBucket,
  USER_REQUESTS_STREAM,
  type NatsService,
} from '../src/index.js';
import { eventually, rejection, startNatsCluster, uniqueName, type NatsCluster } from '@faas/testing';

const SHORT = 3_000;

/** Issue 16 item 10: the authorization the platform runs with, on a real 3-node cluster. */
describe('NATS authorization: each service may do its own work and nothing else', function () {
  this.timeout(60_000);
  let cluster: NatsCluster;
  const clients = new Map<NatsService, NatsConnection>();
  let users: KV;
  const userKey = uniqueName('alice');

  const as = (service: NatsService): NatsConnection => {
    const nc = clients.get(service);
    if (!nc) throw new Error(`no connection for ${service}`);
    return nc;
  };
  const bind = (service: NatsService, bucket: string): Promise<KV> => as(service).jetstream({ timeout: SHORT }).views.kv(bucket, { bindOnly: true });

  before(async function () {
    this.timeout(90_000);
    cluster = await startNatsCluster(3, { authorization: 'platform' });
    for (const service of ['auth', 'registry', 'publisher', 'spawner'] as const) {
      const auth = { user: service, password: cluster.passwords[service] };
      clients.set(service, await connectNats({ servers: cluster.urls, name: `perm-${service}`, logger: createLogger('perm', 'silent'), auth }));
    }
    // Each as its owner would: a just-started cluster may still be placing the first R3 streams.
    users = await eventually(() => openBucket(as('auth'), BUCKETS.users, { replicas: 3 }), 30_000, 500);
    await users.put(userKey, JSON.stringify({ username: 'alice', hash: '$2b$10$secret' }));
    await eventually(() => ensureExecutionsStream(as('spawner'), { replicas: 3 }).then(() => true), 30_000, 500);
  });
  after(async () => {
    for (const nc of clients.values()) await nc.close();
    await cluster?.stop();
  });

  it('refuses a client with no credentials, and one with a wrong password', async () => {
    const anonymous = await rejection(connect({ servers: [...cluster.urls], timeout: SHORT }));
    expect(anonymous.message).to.match(/authorization violation/i);
    const wrong = await rejection(connect({ servers: [...cluster.urls], user: 'publisher', pass: 'not-it', timeout: SHORT }));
    expect(wrong.message).to.match(/authorization violation/i);
  });

  it('lets auth read the users bucket and no other service', async () => {
    expect((await (await bind('auth', BUCKETS.users)).get(userKey))?.string()).to.contain('alice');
    for (const service of ['registry', 'publisher', 'spawner'] as const) {
      const denied = await rejection(bind(service, BUCKETS.users).then((kv) => kv.get(userKey)));
      expect(denied.message, service).to.match(/permission|timeout/i);
    }
  });

  it('lets no service but auth write the users bucket', async () => {
    for (const service of ['registry', 'publisher', 'spawner'] as const) {
      const js = as(service).jetstream({ timeout: SHORT });
      const denied = await rejection(js.publish(`$KV.${BUCKETS.users}.${uniqueName('mallory')}`, '{"role":"admin"}'));
      expect(denied.message, service).to.match(/permission|timeout|no responders/i);
    }
  });

  it('lets the publisher queue an execution and no other service', async () => {
    const ack = await as('publisher').jetstream({ timeout: SHORT }).publish(SUBJECTS.exec('u1'), '{}', { msgID: uniqueName('ex') });
    expect(ack.stream).to.equal(STREAMS.executions);
    for (const service of ['auth', 'registry', 'spawner'] as const) {
      const denied = await rejection(as(service).jetstream({ timeout: SHORT }).publish(SUBJECTS.exec('u1'), '{"image":"evil"}'));
      expect(denied.message, service).to.match(/permission|timeout|no responders/i);
    }
  });

  it('lets the spawner consume executions, and the publisher neither consume them nor make a consumer of its own', async () => {
    const message = await as('spawner').jetstream({ timeout: SHORT }).consumers.get(STREAMS.executions, CONSUMERS.spawner);
    const batch = await message.fetch({ max_messages: 1, expires: 2_000 });
    let fetched = 0;
    for await (const msg of batch) {
      fetched += 1;
      msg.ack();
    }
    expect(fetched).to.equal(1);

    const pjs = as('publisher').jetstream({ timeout: SHORT });
    const pull = await rejection(
      (async () => {
        const consumer = await pjs.consumers.get(STREAMS.executions, CONSUMERS.spawner);
        for await (const _ of await consumer.fetch({ max_messages: 1, expires: 1_000 })) return;
        throw new Error('timeout: fetched nothing');
      })(),
    );
    expect(pull.message).to.match(/permission|timeout/i);
    const jsm = await as('publisher').jetstreamManager({ timeout: SHORT });
    const own = await rejection(jsm.consumers.add(STREAMS.executions, { durable_name: uniqueName('snoop'), filter_subject: SUBJECTS.execAll }));
    expect(own.message).to.match(/permission|timeout/i);
  });

  it('keeps the spawner to reading functions and secrets: it cannot change a definition', async () => {
    const functions = await openBucket(as('registry'), BUCKETS.functions, { replicas: 3 });
    const key = `${uniqueName('u')}.fn`;
    await functions.put(key, JSON.stringify({ image: 'echo' }));
    expect((await (await bind('spawner', BUCKETS.functions)).get(key))?.string()).to.contain('echo');
    const denied = await rejection((await bind('spawner', BUCKETS.functions)).put(key, JSON.stringify({ image: 'evil' })));
    expect(denied.message).to.match(/permission|timeout|no responders/i);
    expect((await functions.get(key))?.string()).to.contain('echo');
  });

  it('lets no reader change a stream it reads: the publisher cannot set max_age on accounts, nor the spawner on functions', async () => {
    const accounts = await openBucket(as('auth'), BUCKETS.accounts, { replicas: 3, owner: createLogger('perm', 'silent') });
    await accounts.put(uniqueName('u'), '{"disabled":true}');
    await openBucket(as('registry'), BUCKETS.functions, { replicas: 3 });
    const attempts: Array<[NatsService, string]> = [['publisher', `KV_${BUCKETS.accounts}`], ['registry', `KV_${BUCKETS.accounts}`], ['spawner', `KV_${BUCKETS.functions}`]];
    for (const [service, stream] of attempts) {
      const jsm = await as(service).jetstreamManager({ timeout: SHORT });
      const denied = await rejection(jsm.streams.update(stream, { max_age: 1_000_000_000 }));
      expect(denied.message, `${service} on ${stream}`).to.match(/permission|timeout/i);
    }
    const owner = await as('auth').jetstreamManager({ timeout: SHORT });
    expect((await owner.streams.info(`KV_${BUCKETS.accounts}`)).config.max_age).to.equal(0);
    expect((await owner.streams.info(`KV_${BUCKETS.functions}`)).config.max_age).to.equal(0);
  });

  it('makes a reader wait for the owner to create a missing bucket, without a refused create', async () => {
    // Its own connection: the statuses it hears are its own (nats-server sends each refusal to the client).
    const auth = { user: 'publisher', password: cluster.passwords.publisher };
    const reader = await connectNats({ servers: cluster.urls, name: 'perm-reader', logger: createLogger('perm', 'silent'), auth });
    const refusals: string[] = [];
    void (async () => {
      for await (const status of reader.status()) {
        const refused = (status as { permissionContext?: { operation: string; subject: string } }).permissionContext;
        if (refused) refusals.push(`${refused.operation} ${refused.subject}`);
      }
    })();
    const opening = openBucket(reader, BUCKETS.triggers, { replicas: 3 });
    const jsm = await as('auth').jetstreamManager({ timeout: SHORT });
    const missing = await rejection(jsm.streams.info(`KV_${BUCKETS.triggers}`));
    expect(missing.message).to.match(/not found/);
    const created = await openBucket(as('registry'), BUCKETS.triggers, { replicas: 3, owner: createLogger('perm', 'silent') });
    await created.put('u1.t', '{}');
    expect((await (await opening).get('u1.t'))?.string()).to.equal('{}');
    await reader.flush();
    expect(refusals).to.deep.equal([]);
    await reader.close();
  });

  it('lets the publisher follow the executions bucket through its durable chain consumer', async () => {
    const kv = await openBucket(as('publisher'), BUCKETS.executions, { replicas: 3, owner: createLogger('perm', 'silent') });
    const jsm = await as('publisher').jetstreamManager({ timeout: SHORT });
    const stream = `KV_${BUCKETS.executions}`;
    await jsm.consumers.add(stream, { durable_name: 'publisher-chains', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New });
    const key = uniqueName('ex');
    await kv.put(key, '{"status":"succeeded"}');
    const consumer = await as('publisher').jetstream({ timeout: SHORT }).consumers.get(stream, 'publisher-chains');
    const msg = await consumer.next({ expires: 5_000 });
    expect(msg?.subject).to.equal(`$KV.${BUCKETS.executions}.${key}`);
    msg?.ack();
  });

  it('lets the publisher follow the uploads store’s meta subjects through its durable object consumer, and write nothing there', async () => {
    const uploads = await openObjectBucket(as('registry'), BUCKETS.objects, { replicas: 3, owner: createLogger('perm', 'silent'), index: BUCKETS.objectIndex });
    const jsm = await as('publisher').jetstreamManager({ timeout: SHORT });
    const stream = `OBJ_${BUCKETS.objects}`;
    const durable = CONSUMERS.publisherObjects;
    await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, filter_subject: `$O.${BUCKETS.objects}.M.>` });
    const key = `${uniqueName('u')}/in.txt`;
    await uploads.put(key, (async function* () { yield new TextEncoder().encode('hello'); })(), { contentType: 'text/plain', maxBytes: 100 });
    const consumer = await as('publisher').jetstream({ timeout: SHORT }).consumers.get(stream, durable);
    const msg = await consumer.next({ expires: 5_000 });
    expect(msg?.subject).to.match(new RegExp(`^\\$O\\.${BUCKETS.objects}\\.M\\.`));
    expect(msg?.json<{ name: string }>().name).to.equal(key);
    msg?.ack();
    const write = await rejection(as('publisher').jetstream({ timeout: SHORT }).publish(`$O.${BUCKETS.objects}.C.${uniqueName('chunk')}`, 'evil'));
    expect(write.message).to.match(/permission|timeout|no responders/i);
    const other = uniqueName('snoop');
    await jsm.consumers.add(stream, { durable_name: other, ack_policy: AckPolicy.Explicit });
    const pull = await rejection((async () => {
      const c = await as('publisher').jetstream({ timeout: SHORT }).consumers.get(stream, other);
      if (!(await c.next({ expires: 1_000 }))) throw new Error('timeout: fetched nothing');
    })());
    expect(pull.message).to.match(/permission|timeout/i);
  });

  it('keeps replies private: no service may listen on another one\'s inbox or on the shared one', async () => {
    for (const subject of ['_INBOX.>', '_INBOX_auth.>', '>']) {
      const sub = as('spawner').subscribe(subject, { timeout: SHORT });
      const denied = await rejection(
        (async () => {
          for await (const _ of sub) return;
        })(),
      );
      expect(denied.message, subject).to.match(/permission/i);
    }
  });
});

describe('NATS authorization table: no bucket without a writer', () => {
  it('grants every bucket of BUCKETS to at least one service for writing (a bucket added without a grant fails here)', () => {
    const writable = (bucket: string): NatsService[] =>
      (Object.entries(NATS_PERMISSIONS) as [NatsService, { publish: readonly string[] }][])
        .filter(([, p]) => p.publish.includes(`$KV.${bucket}.>`) || p.publish.includes(`$O.${bucket}.>`))
        .map(([service]) => service);
    const orphans = Object.values(BUCKETS).filter((bucket) => writable(bucket).length === 0);
    expect(orphans, 'buckets no service may write').to.deep.equal([]);
    expect(writable(BUCKETS.users)).to.deep.equal(['auth']);
  });

  it('gives stream create and update to one owner per stream, and never with a read grant (issue 21 item 4)', () => {
    const managers = new Map<string, NatsService[]>();
    for (const [service, p] of Object.entries(NATS_PERMISSIONS) as [NatsService, { publish: readonly string[] }][]) {
      for (const subject of p.publish) {
        const stream = /^\$JS\.API\.STREAM\.(?:CREATE|UPDATE)\.(.+)$/.exec(subject)?.[1];
        if (stream && !(managers.get(stream) ?? []).includes(service)) managers.set(stream, [...(managers.get(stream) ?? []), service]);
        const bucket = /^KV_(.+)$/.exec(stream ?? '')?.[1];
        if (bucket) expect(p.publish, `${service} may create ${stream} but not write it`).to.include(`$KV.${bucket}.>`);
      }
    }
    // The executions stream: the publisher owns its settings; a spawner that starts first creates it with them.
    // The request counter: every HTTP service is given the same limit and applies it (request-counter.ts).
    const sharedByDesign = new Set<string>([STREAMS.executions, USER_REQUESTS_STREAM]);
    const shared = [...managers].filter(([stream, owners]) => owners.length > 1 && !sharedByDesign.has(stream));
    expect(shared, 'streams with more than one owner').to.deep.equal([]);
    expect(managers.get(`KV_${BUCKETS.accounts}`)).to.deep.equal(['auth']);
    expect(managers.get(`KV_${BUCKETS.triggers}`)).to.deep.equal(['registry']);
    expect(managers.get(`KV_${BUCKETS.functions}`)).to.deep.equal(['registry']);
  });
});
