import { ConfigError } from '@faas/common';
import { rejection } from '@faas/testing';
import { expect } from 'chai';
import { buildGatewayConfig, loadGatewayConfig, RESOURCE_IDS, type AdminResource } from '../src/index.js';
import { gatewayEnv, newSecrets } from './helpers.js';

type Plugins = Record<string, Record<string, unknown> | undefined>;

function resources(overrides: Record<string, string> = {}): AdminResource[] {
  return buildGatewayConfig(loadGatewayConfig(gatewayEnv('http://127.0.0.1:9180', newSecrets(), overrides)).gateway);
}
const find = (all: AdminResource[], kind: string, id: string): AdminResource => {
  const found = all.find((r) => r.kind === kind && r.id === id);
  if (!found) throw new Error(`no ${kind}/${id}`);
  return found;
};
const routes = (all: AdminResource[]): AdminResource[] => all.filter((r) => r.kind === 'routes');
const pluginsOf = (r: AdminResource): Plugins => r.body.plugins as Plugins;
const byUri = (all: AdminResource[], uri: string): AdminResource => {
  const found = routes(all).find((r) => r.body.uri === uri);
  if (!found) throw new Error(`no route for ${uri}`);
  return found;
};

describe('api-gateway: generated APISIX configuration', () => {
  it('routes /auth/*, /registry/* and /publisher/* to round-robin upstreams on the Swarm service names', () => {
    const all = resources();
    expect(byUri(all, '/auth/*').body.upstream_id).to.equal(RESOURCE_IDS.upstreams.auth);
    expect(byUri(all, '/registry/*').body.upstream_id).to.equal(RESOURCE_IDS.upstreams.registry);
    expect(byUri(all, '/publisher/*').body.upstream_id).to.equal(RESOURCE_IDS.upstreams.publisher);
    const nodes = all.filter((r) => r.kind === 'upstreams').map((u) => [u.body.type, u.body.nodes]);
    expect(nodes).to.deep.equal([
      ['roundrobin', [{ host: 'auth-service', port: 8081, weight: 1 }]],
      ['roundrobin', [{ host: 'registry-service', port: 8082, weight: 1 }]],
      ['roundrobin', [{ host: 'publisher-service', port: 8083, weight: 1 }]],
      ['roundrobin', [{ host: 'portal', port: 8085, weight: 1 }]],
    ]);
  });

  it('takes upstream targets from the environment', () => {
    const all = resources({ PUBLISHER_UPSTREAM: 'pub.internal:9999' });
    expect(find(all, 'upstreams', 'faas-publisher').body.nodes).to.deep.equal([{ host: 'pub.internal', port: 9999, weight: 1 }]);
  });

  it('lists upstreams, then the consumer, then routes, so every reference exists when sent', () => {
    const kinds = resources().map((r) => r.kind);
    expect(kinds).to.deep.equal([...kinds].sort((a, b) => ['upstreams', 'consumers', 'routes'].indexOf(a) - ['upstreams', 'consumers', 'routes'].indexOf(b)));
  });

  it('puts jwt-auth on /registry/*, /publisher/* and the admin API only; the rest of /auth/*, the probes and the API docs stay public', () => {
    const all = resources();
    const guarded = routes(all).filter((r) => pluginsOf(r)['jwt-auth']).flatMap((r) => (r.body.uris as string[] | undefined) ?? [r.body.uri]);
    expect(guarded).to.have.members(['/registry/*', '/publisher/*', '/auth/admin/*', '/auth/logout-all']);
    expect(pluginsOf(byUri(all, '/registry/*'))['jwt-auth']).to.include({ header: 'authorization', hide_credentials: false });
    const notProbes = new Set<string>([RESOURCE_IDS.routes.authCredentials, RESOURCE_IDS.routes.authAdmin, RESOURCE_IDS.routes.publisherHooks, RESOURCE_IDS.routes.publisherFunctions]);
    const health = routes(all).filter((r) => Array.isArray(r.body.uris) && r.body.upstream_id !== RESOURCE_IDS.upstreams.portal && !notProbes.has(r.id));
    const publicPaths = ['/health', '/ready', '/openapi.json', '/docs', '/docs/*'];
    expect(health.flatMap((r) => r.body.uris as string[])).to.have.members(['/registry', '/publisher'].flatMap((p) => publicPaths.map((path) => p + path)));
    for (const route of health) expect(route.body.priority).to.be.greaterThan(0);
  });

  it('routes POST /publisher/hooks/* to the publisher ahead of /publisher/*, without jwt-auth, limited per client address', () => {
    const all = resources({ RATE_LIMIT_COUNT: '50', RATE_LIMIT_KEY: 'consumer' });
    const hooks = find(all, 'routes', RESOURCE_IDS.routes.publisherHooks);
    expect(hooks.body).to.deep.include({ upstream_id: RESOURCE_IDS.upstreams.publisher, uris: ['/publisher/hooks/*'], methods: ['POST', 'OPTIONS'] });
    expect(Number(hooks.body.priority)).to.be.greaterThan(Number(byUri(all, '/publisher/*').body.priority ?? 0));
    expect(pluginsOf(hooks)['jwt-auth']).to.equal(undefined);
    // No consumer without a JWT: the edge budget is per address whatever RATE_LIMIT_KEY says.
    expect(pluginsOf(hooks)['limit-count']).to.include({ count: 50, key_type: 'var', key: 'remote_addr', rejected_code: 429 });
  });

  it('routes every method of /publisher/fn/* to the publisher ahead of /publisher/*, without jwt-auth or cors, limited per client address, with the sync wait', () => {
    const all = resources({ RATE_LIMIT_COUNT: '70', RATE_LIMIT_KEY: 'consumer' });
    const fn = find(all, 'routes', RESOURCE_IDS.routes.publisherFunctions);
    expect(fn.body).to.deep.include({ upstream_id: RESOURCE_IDS.upstreams.publisher, uris: ['/publisher/fn/*'], methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] });
    expect(Number(fn.body.priority)).to.be.greaterThan(Number(byUri(all, '/publisher/*').body.priority ?? 0));
    expect(pluginsOf(fn)['jwt-auth']).to.equal(undefined);
    // A function answers its own preflights: the edge's CORS would answer them instead.
    expect(pluginsOf(fn).cors).to.equal(undefined);
    expect(pluginsOf(fn)['request-id']).to.not.equal(undefined);
    expect(pluginsOf(fn)['limit-count']).to.include({ count: 70, key_type: 'var', key: 'remote_addr', rejected_code: 429 });
    expect(fn.body.timeout).to.deep.equal(byUri(all, '/publisher/*').body.timeout);
  });

  it('routes /auth/admin/* and /auth/logout-all to auth ahead of /auth/*, with the token checked and PATCH allowed', () => {
    const admin = find(resources(), 'routes', RESOURCE_IDS.routes.authAdmin);
    expect(admin.body).to.include({ upstream_id: RESOURCE_IDS.upstreams.auth });
    expect(admin.body.uris).to.deep.equal(['/auth/admin/*', '/auth/logout-all']);
    expect(admin.body.methods).to.include.members(['GET', 'PATCH', 'DELETE', 'POST']);
    expect(admin.body.priority).to.be.greaterThan(0);
    expect(pluginsOf(admin)['jwt-auth']).to.include({ header: 'authorization' });
    expect(pluginsOf(admin).cors?.allow_methods).to.include('PATCH');
  });

  it('serves the portal from its upstream on every other GET path, public and below every API route', () => {
    const all = resources({ PORTAL_UPSTREAM: 'web.internal:8000' });
    const portal = find(all, 'routes', RESOURCE_IDS.routes.portal);
    expect(portal.body).to.include({ upstream_id: RESOURCE_IDS.upstreams.portal });
    expect(portal.body).to.deep.include({ uris: ['/*'], methods: ['GET', 'HEAD'] });
    expect(pluginsOf(portal)['jwt-auth']).to.equal(undefined);
    const priorities = routes(all).filter((r) => r !== portal).map((r) => Number(r.body.priority ?? 0));
    expect(Number(portal.body.priority)).to.be.lessThan(Math.min(...priorities));
    expect(find(all, 'upstreams', RESOURCE_IDS.upstreams.portal).body.nodes).to.deep.equal([{ host: 'web.internal', port: 8000, weight: 1 }]);
  });

  it('has one jwt-auth consumer matching the token key claim, with the shared secret and HS256', () => {
    const secrets = newSecrets();
    const config = loadGatewayConfig(gatewayEnv('http://a:9180', secrets, { JWT_CONSUMER_KEY: 'my-key' }));
    const consumer = find(buildGatewayConfig(config.gateway), 'consumers', RESOURCE_IDS.consumer);
    expect(consumer.body.username).to.equal(RESOURCE_IDS.consumer);
    expect(pluginsOf(consumer)['jwt-auth']).to.deep.equal({ key: 'my-key', secret: secrets.jwtSecret, algorithm: 'HS256', base64_secret: false });
    expect(pluginsOf(find(resources(), 'consumers', RESOURCE_IDS.consumer))['jwt-auth']).to.include({ key: 'faas-users' });
  });

  it('limits /registry/* and /publisher/* per client address by default (429 in the platform\'s error shape), configurable', () => {
    const byAddress = pluginsOf(byUri(resources(), '/publisher/*'))['limit-count'];
    expect(byAddress).to.include({ count: 600, time_window: 60, rejected_code: 429, key_type: 'var', key: 'remote_addr' });
    expect(byAddress?._meta).to.deep.equal({ error_response: { error: { code: 'RATE_LIMITED', message: 'too many requests; retry later' } } });
    const all = resources({ RATE_LIMIT_COUNT: '5', RATE_LIMIT_WINDOW_SECONDS: '10', RATE_LIMIT_KEY: 'consumer' });
    for (const uri of ['/registry/*', '/publisher/*']) {
      expect(pluginsOf(byUri(all, uri))['limit-count']).to.include({ count: 5, time_window: 10, key_type: 'var', key: 'consumer_name', rejected_code: 429 });
    }
    expect(pluginsOf(byUri(all, '/auth/*'))['limit-count']).to.equal(undefined);
  });

  it('names the shared limit-count group after its settings, so a changed limit is a new group', () => {
    const group = (env: Record<string, string>) => pluginsOf(byUri(resources(env), '/registry/*'))['limit-count']?.group;
    expect(group({})).to.equal('faas-api-address-600-per-60s');
    expect(group({})).to.equal(pluginsOf(byUri(resources(), '/publisher/*'))['limit-count']?.group);
    expect(group({ RATE_LIMIT_COUNT: '1200' })).to.equal('faas-api-address-1200-per-60s');
    expect(group({ RATE_LIMIT_WINDOW_SECONDS: '30', RATE_LIMIT_KEY: 'consumer' })).to.equal('faas-api-consumer-600-per-30s');
  });

  it('limits POST /auth/login and /auth/register per client address, without a token', () => {
    const all = resources({ AUTH_RATE_LIMIT_COUNT: '7', AUTH_RATE_LIMIT_WINDOW_SECONDS: '30' });
    const credentials = find(all, 'routes', RESOURCE_IDS.routes.authCredentials);
    expect(credentials.body).to.include({ upstream_id: RESOURCE_IDS.upstreams.auth, priority: 10 });
    expect(credentials.body.uris).to.deep.equal(['/auth/login', '/auth/register']);
    expect(credentials.body.methods).to.deep.equal(['POST']);
    expect(pluginsOf(credentials)['limit-count']).to.include({ count: 7, time_window: 30, key_type: 'var', key: 'remote_addr', rejected_code: 429 });
    expect(pluginsOf(credentials)['jwt-auth']).to.equal(undefined);
    expect(pluginsOf(find(resources(), 'routes', RESOURCE_IDS.routes.authCredentials))['limit-count']).to.include({ count: 20, time_window: 60 });
  });

  it('gives /publisher/* a read timeout above the longest function timeout', () => {
    const all = resources({ MAX_TIMEOUT_SECONDS: '900' });
    const timeout = byUri(all, '/publisher/*').body.timeout as { read: number };
    expect(timeout.read).to.be.greaterThan(900);
    expect(timeout.read).to.equal(930);
    expect((byUri(resources(), '/publisher/*').body.timeout as { read: number }).read).to.be.greaterThan(600);
    expect((byUri(all, '/registry/*').body.timeout as { read: number }).read).to.be.lessThan(900);
  });

  it('adds request-id to every route, and cors to every route but the HTTP functions’ (which answer their own)', () => {
    const all = resources({ CORS_ALLOW_ORIGINS: 'https://a.example, https://b.example' });
    expect(routes(all)).to.have.length(10);
    for (const route of routes(all)) {
      expect(pluginsOf(route)['request-id']).to.include({ header_name: 'X-Request-Id', include_in_response: true });
      if (route.id === RESOURCE_IDS.routes.publisherFunctions) continue;
      expect(pluginsOf(route).cors).to.include({ allow_origins: 'https://a.example,https://b.example' });
      expect(pluginsOf(route).cors?.allow_headers).to.include('Authorization');
    }
    expect(pluginsOf(byUri(resources(), '/auth/*')).cors).to.include({ allow_origins: '*' });
  });

  it('reports every configuration problem at once', async () => {
    const err = await rejection(
      Promise.resolve().then(() =>
        loadGatewayConfig({
          JWT_SECRET_FILE: '/nonexistent/jwt',
          AUTH_UPSTREAM: 'no-port',
          RATE_LIMIT_COUNT: '0',
          CORS_ALLOW_ORIGINS: 'not an origin',
          APISIX_ADMIN_URL: 'ftp://x',
        }),
      ),
    );
    expect(err).to.be.instanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const name of ['APISIX_ADMIN_KEY_FILE', 'JWT_SECRET_FILE', 'AUTH_UPSTREAM', 'RATE_LIMIT_COUNT', 'CORS_ALLOW_ORIGINS', 'APISIX_ADMIN_URL']) {
      expect(problems).to.include(name);
    }
  });
});
