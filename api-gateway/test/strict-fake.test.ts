import { expect } from 'chai';
import { AdminClient, buildGatewayConfig, configureGateway, loadGatewayConfig, resourcePath, type AdminResource } from '../src/index.js';
import { GROUP_CONF_TTL_MS } from './apisix-checks.js';
import type { FakeAdminApi } from './fake-admin-api.js';
import { gatewayEnv, RecordingLog, startFakeAdminApi, type TestSecrets } from './helpers.js';

type Body = Record<string, unknown>;

describe('api-gateway: the fake Admin API refuses what APISIX 3.11.0 refuses', () => {
  let secrets: TestSecrets;
  let fake: FakeAdminApi;
  let url: string;
  let all: AdminResource[];
  beforeEach(async () => {
    ({ secrets, fake, url } = await startFakeAdminApi());
    all = buildGatewayConfig(loadGatewayConfig(gatewayEnv(url, secrets)).gateway);
  });
  afterEach(() => fake.close());

  const put = async (path: string, body: unknown, key = secrets.apiKey): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${url}${path}`, { method: 'PUT', headers: { 'X-API-KEY': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Body };
  };
  const byId = (id: string, kind = 'routes'): AdminResource => {
    const found = all.find((r) => r.id === id && r.kind === kind);
    if (!found) throw new Error(`no resource ${id}`);
    return found;
  };
  const applyUpstreams = async () => {
    for (const r of all.filter((x) => x.kind === 'upstreams')) expect((await put(resourcePath(r), r.body)).status).to.equal(201);
  };
  const withPlugin = (r: AdminResource, plugin: string, conf: Body): Body => ({
    ...r.body,
    plugins: { ...(r.body.plugins as Body), [plugin]: conf },
  });

  it('accepts every body of the real configuration, and refuses the same route with a misspelled plugin field', async () => {
    await applyUpstreams();
    for (const r of all.filter((x) => x.kind !== 'upstreams')) {
      const res = await put(resourcePath(r), r.body);
      expect(res.status, `${r.kind}/${r.id}: ${JSON.stringify(res.body)}`).to.equal(201);
    }
    const registry = byId('faas-registry');
    const { time_window, ...limit } = (registry.body.plugins as Record<string, Body>)['limit-count'] ?? {};
    const misspelled = await put(resourcePath(registry), withPlugin(registry, 'limit-count', { ...limit, time_windw: time_window }));
    expect(misspelled.status).to.equal(400);
    expect(misspelled.body.error_msg).to.match(/^failed to check the configuration of plugin limit-count err: .*time_window/);
  });

  it('refuses misspelled or ill-typed fields at the route, upstream, consumer and plugin level with 400 and error_msg', async () => {
    await applyUpstreams();
    const route = byId('faas-registry');
    const upstream = byId('faas-auth', 'upstreams');
    const consumer = byId('faas_users', 'consumers');
    const jwt = (consumer.body.plugins as Record<string, Body>)['jwt-auth'];
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['route field', resourcePath(route), { ...route.body, upstream_Id: 'faas-registry' }, /^invalid configuration: .*additional/],
      ['uri and uris', resourcePath(route), { ...route.body, uris: ['/x'] }, /^invalid configuration/],
      ['non-integer count', resourcePath(route), withPlugin(route, 'limit-count', { count: 1.5, time_window: 60 }), /plugin limit-count err/],
      ['unknown plugin', resourcePath(route), withPlugin(route, 'limit-cont', { count: 1, time_window: 60 }), /^unknown plugin \[limit-cont\]$/],
      ['cors origin', resourcePath(route), withPlugin(route, 'cors', { allow_origins: 'app.example.com' }), /plugin cors err/],
      ['cors credential', resourcePath(route), withPlugin(route, 'cors', { allow_credential: true }), /can not set '\*'/],
      ['request-id algorithm', resourcePath(route), withPlugin(route, 'request-id', { algorithm: 'uuid4' }), /plugin request-id err/],
      ['upstream field', resourcePath(upstream), { ...upstream.body, node: upstream.body.nodes }, /^invalid configuration/],
      ['node weight', resourcePath(upstream), { ...upstream.body, nodes: [{ host: 'auth-service', port: 8081 }] }, /^invalid configuration/],
      ['node port', resourcePath(upstream), { ...upstream.body, nodes: [{ host: 'auth-service', port: 70000, weight: 1 }] }, /^invalid configuration/],
      ['node host', resourcePath(upstream), { ...upstream.body, nodes: [{ host: 'auth service', port: 8081, weight: 1 }] }, /^invalid configuration/],
      ['consumer field', resourcePath(consumer), { ...consumer.body, id: 'faas_users' }, /^invalid configuration/],
      ['consumer plugin', resourcePath(consumer), { ...consumer.body, plugins: { 'jwt-auth': { ...jwt, algorithm: 'HS265' } } }, /^invalid plugins configuration: .*jwt-auth/],
      ['consumer plugin key', resourcePath(consumer), { ...consumer.body, plugins: { 'jwt-auth': { secret: 'x' } } }, /^invalid plugins configuration/],
    ];
    for (const [what, path, body, message] of cases) {
      const res = await put(path, body);
      expect(res.status, what).to.equal(400);
      expect(String(res.body.error_msg), what).to.match(message);
    }
  });

  it('checks the admin key before anything else, etcd faults included', async () => {
    fake.unavailableFor = 1;
    const wrong = await put(resourcePath(byId('faas-auth', 'upstreams')), byId('faas-auth', 'upstreams').body, 'not-the-key');
    expect(wrong).to.deep.equal({ status: 401, body: { error_msg: 'failed to check token', description: 'wrong apikey' } });
    expect(fake.unavailableFor).to.equal(1);
    expect((await put(resourcePath(byId('faas-auth', 'upstreams')), byId('faas-auth', 'upstreams').body)).status).to.equal(503);
  });

  it('answers 400 when etcd fails during a route\'s upstream lookup, and the configurator retries that', async () => {
    await applyUpstreams();
    const route = byId('faas-registry');
    fake.unavailableFor = 1;
    const refused = await put(resourcePath(route), route.body);
    expect(refused.status).to.equal(400);
    expect(refused.body.error_msg).to.match(/^failed to fetch upstream info by upstream id \[faas-registry\]: /);
    const log = new RecordingLog();
    const client = new AdminClient({ baseUrl: url, apiKey: secrets.apiKey, log, retryWindowMs: 5_000, initialDelayMs: 10 });
    fake.unavailableFor = 2;
    expect(await client.put(resourcePath(route), route.body)).to.equal(201);
    expect(log.lines.filter((l) => l.includes('HTTP 400 failed to fetch upstream info'))).to.have.length(2);
  });

  it('keeps a limit-count group\'s first conf for 5 minutes; the configurator\'s settings-named groups take a new limit at once', async () => {
    await applyUpstreams();
    const route = byId('faas-registry');
    const fixedGroup = (count: number) => withPlugin(route, 'limit-count', { count, time_window: 60, group: 'faas-api' });
    const first = await put(resourcePath(route), fixedGroup(600));
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const mismatched = await put(resourcePath(route), fixedGroup(1200));
    expect(mismatched).to.deep.include({ status: 400 });
    expect(mismatched.body.error_msg).to.equal('failed to check the configuration of plugin limit-count err: group conf mismatched');
    fake.clockOffsetMs = GROUP_CONF_TTL_MS + 1;
    expect((await put(resourcePath(route), fixedGroup(1200))).status).to.equal(200);

    fake.clockOffsetMs = 0;
    const configure = (count: string) =>
      configureGateway(loadGatewayConfig(gatewayEnv(url, secrets, { RATE_LIMIT_COUNT: count })), { log: new RecordingLog(), initialDelayMs: 10 });
    await configure('600');
    await configure('900');
    const stored = fake.get('routes', 'faas-publisher')?.plugins as Record<string, Body>;
    expect(stored['limit-count']).to.include({ count: 900, group: 'faas-api-address-900-per-60s' });
  });
});
