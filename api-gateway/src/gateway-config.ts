/** What the gateway should hold, as APISIX Admin API resources; pure, no I/O. */
import { HTTP_FUNCTION_METHODS } from '@faas/common';
import type { GatewaySettings, HostPort } from './gateway-settings.js';
import { commonPlugins, credentialPlugins, httpFunctionPlugins, protectedPlugins, webhookPlugins } from './gateway-plugins.js';

export type ResourceKind = 'upstreams' | 'consumers' | 'routes';

export interface AdminResource {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export type { GatewaySettings, HostPort, RateLimitKey } from './gateway-settings.js';

/** Ids are stable: re-running the configurator overwrites the same resources (PUT by id). */
export const RESOURCE_IDS = Object.freeze({
  upstreams: { auth: 'faas-auth', registry: 'faas-registry', publisher: 'faas-publisher', portal: 'faas-portal' },
  consumer: 'faas_users',
  routes: {
    auth: 'faas-auth',
    authAdmin: 'faas-auth-admin',
    authCredentials: 'faas-auth-credentials',
    registryHealth: 'faas-registry-health',
    registry: 'faas-registry',
    publisherHealth: 'faas-publisher-health',
    publisher: 'faas-publisher',
    publisherHooks: 'faas-publisher-hooks',
    publisherFunctions: 'faas-publisher-fn',
    portal: 'faas-portal',
  },
});

/** Upstreams before the consumer before routes: a route may only name an upstream that exists. */
export const APPLY_ORDER: readonly ResourceKind[] = ['upstreams', 'consumers', 'routes'];

const LABELS = Object.freeze({ 'managed-by': 'faas-api-gateway' });
const DEFAULT_TIMEOUT = Object.freeze({ connect: 5, send: 60, read: 60 });

function upstream(id: string, target: HostPort): AdminResource {
  return {
    kind: 'upstreams',
    id,
    body: {
      name: id,
      desc: `Swarm service ${target.host} (its virtual IP balances the replicas)`,
      type: 'roundrobin',
      scheme: 'http',
      pass_host: 'pass',
      nodes: [{ host: target.host, port: target.port, weight: 1 }],
      labels: LABELS,
    },
  };
}

interface RouteSpec {
  readonly id: string;
  readonly upstreamId: string;
  readonly match: { uri: string } | { uris: string[]; methods: string[]; priority: number };
  readonly plugins: Record<string, unknown>;
  readonly timeout?: { connect: number; send: number; read: number };
}

function route(spec: RouteSpec): AdminResource {
  return {
    kind: 'routes',
    id: spec.id,
    body: {
      name: spec.id,
      ...spec.match,
      upstream_id: spec.upstreamId,
      plugins: spec.plugins,
      timeout: spec.timeout ?? DEFAULT_TIMEOUT,
      labels: LABELS,
    },
  };
}

/** Paths under a protected prefix that need no token: probes, and the service's OpenAPI document and docs page. */
export const PUBLIC_PATHS: readonly string[] = ['/health', '/ready', '/openapi.json', '/docs', '/docs/*'];

function healthRoute(id: string, upstreamId: string, prefix: string, s: GatewaySettings): AdminResource {
  // Higher priority than the prefix route, so these need no token and use no quota.
  const match = { uris: PUBLIC_PATHS.map((path) => `${prefix}${path}`), methods: ['GET', 'HEAD'], priority: 10 };
  return route({ id, upstreamId, match, plugins: commonPlugins(s) });
}

/** The portal's static files: everything the API prefixes do not take, public, lowest priority. */
function portalRoute(s: GatewaySettings): AdminResource {
  const match = { uris: ['/*'], methods: ['GET', 'HEAD'], priority: -10 };
  return route({ id: RESOURCE_IDS.routes.portal, upstreamId: RESOURCE_IDS.upstreams.portal, match, plugins: commonPlugins(s) });
}

/** Every resource the gateway needs, in apply order. */
export function buildGatewayConfig(s: GatewaySettings): AdminResource[] {
  const up = RESOURCE_IDS.upstreams;
  const ids = RESOURCE_IDS.routes;
  const consumer: AdminResource = {
    kind: 'consumers',
    id: RESOURCE_IDS.consumer,
    body: {
      username: RESOURCE_IDS.consumer,
      desc: 'every platform user: tokens carry this key claim',
      plugins: { 'jwt-auth': { key: s.jwt.consumerKey, secret: s.jwt.secret, algorithm: 'HS256', base64_secret: false } },
    },
  };
  const publisherTimeout = { ...DEFAULT_TIMEOUT, read: s.publisherReadTimeoutSeconds };
  return [
    upstream(up.auth, s.upstreams.auth),
    upstream(up.registry, s.upstreams.registry),
    upstream(up.publisher, s.upstreams.publisher),
    upstream(up.portal, s.upstreams.portal),
    consumer,
    route({ id: ids.auth, upstreamId: up.auth, match: { uri: '/auth/*' }, plugins: commonPlugins(s) }),
    // Above /auth/*: the admin API and logout-all need a token, so APISIX checks it at the edge too.
    route({
      id: ids.authAdmin,
      upstreamId: up.auth,
      match: { uris: ['/auth/admin/*', '/auth/logout-all'], methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'], priority: 10 },
      plugins: protectedPlugins(s),
    }),
    route({
      id: ids.authCredentials,
      upstreamId: up.auth,
      match: { uris: ['/auth/login', '/auth/register'], methods: ['POST'], priority: 10 },
      plugins: credentialPlugins(s),
    }),
    healthRoute(ids.registryHealth, up.registry, '/registry', s),
    route({ id: ids.registry, upstreamId: up.registry, match: { uri: '/registry/*' }, plugins: protectedPlugins(s) }),
    healthRoute(ids.publisherHealth, up.publisher, '/publisher', s),
    route({
      id: ids.publisher,
      upstreamId: up.publisher,
      match: { uri: '/publisher/*' },
      plugins: protectedPlugins(s),
      timeout: publisherTimeout,
    }),
    // Above /publisher/*: webhook triggers carry their token in the path, not a JWT.
    route({
      id: ids.publisherHooks,
      upstreamId: up.publisher,
      match: { uris: ['/publisher/hooks/*'], methods: ['POST', 'OPTIONS'], priority: 10 },
      plugins: webhookPlugins(s),
    }),
    // Above /publisher/*: HTTP functions, public or private (the publisher checks a private one's JWT).
    route({
      id: ids.publisherFunctions,
      upstreamId: up.publisher,
      match: { uris: ['/publisher/fn/*'], methods: [...HTTP_FUNCTION_METHODS], priority: 10 },
      plugins: httpFunctionPlugins(s),
      timeout: publisherTimeout,
    }),
    portalRoute(s),
  ];
}

export function resourcePath(resource: Pick<AdminResource, 'kind' | 'id'>): string {
  return `/apisix/admin/${resource.kind}/${encodeURIComponent(resource.id)}`;
}
