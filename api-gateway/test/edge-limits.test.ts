import { expect } from 'chai';
import { configureGateway, loadGatewayConfig, RESOURCE_IDS } from '../src/index.js';
import { LimitCountLocal } from './apisix-limit-count.js';
import type { FakeAdminApi } from './fake-admin-api.js';
import { gatewayEnv, RecordingLog, startFakeAdminApi, type TestSecrets } from './helpers.js';

type Route = { uris?: string[]; uri?: string; methods?: string[]; plugins: Record<string, Record<string, unknown>> };

describe('api-gateway: the edge limits as APISIX 3.11.0 would apply the applied configuration', () => {
  let secrets: TestSecrets;
  let fake: FakeAdminApi;
  let url: string;
  beforeEach(async () => {
    ({ secrets, fake, url } = await startFakeAdminApi());
    await configureGateway(loadGatewayConfig(gatewayEnv(url, secrets, { AUTH_RATE_LIMIT_COUNT: '20', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' })), {
      log: new RecordingLog(),
      initialDelayMs: 10,
    });
  });
  afterEach(() => fake.close());

  const stored = (id: string): Route => fake.get('routes', id) as Route;

  it('answers a login flood from one address with 429 in the platform\'s error shape after 20, and not another address', () => {
    const route = stored(RESOURCE_IDS.routes.authCredentials);
    expect(route.uris).to.deep.equal(['/auth/login', '/auth/register']);
    expect(route.methods).to.deep.equal(['POST']);
    const limit = route.plugins['limit-count'] ?? {};
    const edge = new LimitCountLocal();
    const t0 = 1_000_000;
    const flood = Array.from({ length: 25 }, (_, i) => edge.incoming(RESOURCE_IDS.routes.authCredentials, limit, { remote_addr: '203.0.113.9' }, t0 + i / 10));
    expect(flood.slice(0, 20).every((answer) => answer === undefined)).to.equal(true);
    for (const answer of flood.slice(20)) {
      expect(answer?.status).to.equal(429);
      expect(answer?.body).to.deep.equal({ error: { code: 'RATE_LIMITED', message: 'too many login or registration attempts from this address; retry later' } });
      expect(answer?.headers).to.include({ 'X-RateLimit-Limit': '20', 'X-RateLimit-Remaining': '0' });
    }
    expect(edge.incoming(RESOURCE_IDS.routes.authCredentials, limit, { remote_addr: '198.51.100.1' }, t0 + 3)).to.equal(undefined);
    expect(edge.incoming(RESOURCE_IDS.routes.authCredentials, limit, { remote_addr: '203.0.113.9' }, t0 + 61), 'a new window').to.equal(undefined);
  });

  it('counts /registry and /publisher together per address (one group), whatever the token', () => {
    const registry = stored(RESOURCE_IDS.routes.registry).plugins['limit-count'] ?? {};
    const publisher = stored(RESOURCE_IDS.routes.publisher).plugins['limit-count'] ?? {};
    const edge = new LimitCountLocal();
    const vars = (token: string) => ({ remote_addr: '203.0.113.9', consumer_name: 'faas_users', http_authorization: `Bearer ${token}` });
    let refused = 0;
    for (let i = 0; i < 700; i++) {
      const [id, conf] = i % 2 ? [RESOURCE_IDS.routes.publisher, publisher] : [RESOURCE_IDS.routes.registry, registry];
      if (edge.incoming(id, conf, vars(`token-${i % 7}`), 1_000_000)?.status === 429) refused++;
    }
    expect(refused).to.equal(100);
  });
});
