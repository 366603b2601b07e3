import type { GatewaySettings } from './gateway-config.js';

/** On every route: a request id that follows the request to the services, and CORS. */
export function commonPlugins(s: GatewaySettings): Record<string, unknown> {
  return {
    'request-id': { header_name: 'X-Request-Id', include_in_response: true, algorithm: 'uuid' },
    cors: {
      allow_origins: s.corsAllowOrigins,
      allow_methods: 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
      // Listed, not `*`: browsers never let a wildcard cover Authorization.
      allow_headers: 'Authorization,Content-Type,X-Request-Id',
      expose_headers: 'X-Request-Id,X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset,Location',
      max_age: 3600,
      allow_credential: false,
    },
  };
}

/** On /registry and /publisher: APISIX checks the token at the edge and counts requests per consumer. */
export function protectedPlugins(s: GatewaySettings): Record<string, unknown> {
  const byToken = s.rateLimit.key === 'token';
  return {
    ...commonPlugins(s),
    // The services verify the token again, so it must reach them.
    'jwt-auth': { header: 'authorization', hide_credentials: false },
    'limit-count': {
      count: s.rateLimit.count,
      time_window: s.rateLimit.windowSeconds,
      key_type: byToken ? 'var_combination' : 'var',
      key: byToken ? '$consumer_name $http_authorization' : 'consumer_name',
      rejected_code: 429,
      policy: 'local',
      // One counter across /registry and /publisher; APISIX requires identical settings per group.
      group: 'faas-api',
      show_limit_quota_header: true,
    },
  };
}
