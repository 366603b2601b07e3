import { rejection } from '@faas/testing';
import { expect } from 'chai';
import { AdminClient, applyGatewayConfig, buildGatewayConfig, configureGateway, loadGatewayConfig, type AdminResource } from '../src/index.js';
import { FakeAdminApi } from './fake-admin-api.js';
import { gatewayEnv, RecordingLog, startFakeAdminApi, type TestSecrets } from './helpers.js';

describe('api-gateway: applying the configuration to the Admin API', () => {
  let secrets: TestSecrets;
  let fake: FakeAdminApi;
  let url: string;

  beforeEach(async () => ({ secrets, fake, url } = await startFakeAdminApi()));
  afterEach(() => fake.close());

  const configure = (log = new RecordingLog()) =>
    configureGateway(loadGatewayConfig(gatewayEnv(url, secrets, { LOG_LEVEL: 'debug' })), { log, initialDelayMs: 10 });

  it('PUTs upstreams, then the consumer, then routes, every request carrying X-API-KEY', async () => {
    const summary = await configure();
    const puts = fake.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.path.split('/')[3])).to.deep.equal([
      'upstreams', 'upstreams', 'upstreams', 'upstreams', 'consumers', 'routes', 'routes', 'routes', 'routes', 'routes', 'routes', 'routes', 'routes', 'routes', 'routes',
    ]);
    expect(fake.requests.every((r) => r.apiKey === secrets.apiKey)).to.equal(true);
    expect(summary).to.include({ created: 15, updated: 0 });
    expect(summary.routes).to.deep.equal(['faas-auth', 'faas-auth-admin', 'faas-auth-credentials', 'faas-registry-health', 'faas-registry', 'faas-publisher-health', 'faas-publisher', 'faas-publisher-hooks', 'faas-publisher-fn', 'faas-portal']);
    expect(fake.get('consumers', 'faas_users')).to.have.nested.property('plugins.jwt-auth.secret', secrets.jwtSecret);
  });

  it('is idempotent: a second run only PUTs the same ids and leaves the stored state unchanged', async () => {
    await configure();
    const first = structuredClone(Object.fromEntries(fake.store));
    const before = fake.requests.length;
    const summary = await configure();
    expect(Object.fromEntries(fake.store)).to.deep.equal(first);
    expect(summary).to.include({ created: 0, updated: 15 });
    const methods = new Set(fake.requests.slice(before).map((r) => r.method));
    expect([...methods].sort()).to.deep.equal(['GET', 'PUT']);
  });

  it('fails with APISIX\'s own message when it refuses a body (400), e.g. a route before its upstream', async () => {
    const client = new AdminClient({ baseUrl: url, apiKey: secrets.apiKey, log: new RecordingLog(), retryWindowMs: 1_000 });
    const config = loadGatewayConfig(gatewayEnv(url, secrets));
    const routesOnly: AdminResource[] = buildGatewayConfig(config.gateway).filter((r) => r.kind === 'routes');
    const err = await rejection(applyGatewayConfig(client, routesOnly));
    expect(err.code).to.equal('VALIDATION_FAILED');
    expect(err.message).to.include('400').and.include('failed to fetch upstream info by upstream id [faas-auth]');
  });

  it('never shows the JWT secret or the admin key, in logs or errors, even when APISIX echoes the body', async () => {
    const log = new RecordingLog();
    await configure(log);
    fake.echoBodies = true;
    fake.store.clear();
    const client = new AdminClient({ baseUrl: url, apiKey: secrets.apiKey, log, retryWindowMs: 1_000, secrets: [secrets.jwtSecret] });
    const consumer = buildGatewayConfig(loadGatewayConfig(gatewayEnv(url, secrets)).gateway).find((r) => r.kind === 'consumers');
    const err = await rejection(client.put('/apisix/admin/consumers/Not-Valid', consumer?.body));
    expect(err.message).to.include('wrong username').and.include('[redacted]');
    expect(log.lines.length).to.be.greaterThan(5);
    for (const text of [log.text, err.message, JSON.stringify(err)]) {
      expect(text).not.to.include(secrets.jwtSecret);
      expect(text).not.to.include(secrets.apiKey);
    }
  });
});
