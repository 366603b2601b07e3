import type { GatewaySettings } from './gateway-settings.js';

/** On every route: a request id that follows the request to the services, and CORS. */
export function commonPlugins(s: GatewaySettings): Record<string, unknown> {
  return {
    'request-id': { header_name: 'X-Request-Id', include_in_response: true, algorithm: 'uuid' },
    cors: {
      allow_origins: s.corsAllowOrigins,
      allow_methods: 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
      // Listed, not `*`: browsers never let a wildcard cover Authorization.
      allow_headers: 'Authorization,Content-Type,X-Request-Id',
      expose_headers: 'X-Request-Id,X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset,Retry-After,Location',
      max_age: 3600,
      allow_credential: false,
    },
  };
}

/** The platform's error shape for a limit-count refusal (APISIX would otherwise answer an empty 429). */
const rateLimited = (message: string) => ({ error_response: { error: { code: 'RATE_LIMITED', message } } });

/**
 * limit-count keeps the first conf of a group per worker for 5 minutes and refuses any other
 * ("group conf mismatched"), and its counter object is cached by group name too. A group named
 * after its settings makes a changed RATE_LIMIT_* a new group: accepted at once, applied at once.
 */
export function rateLimitGroup(s: GatewaySettings): string {
  return `faas-api-${s.rateLimit.key}-${s.rateLimit.count}-per-${s.rateLimit.windowSeconds}s`;
}

/** On POST /auth/login and /auth/register: a budget per client address (brute force, registration floods). */
export function credentialPlugins(s: GatewaySettings): Record<string, unknown> {
  return {
    ...commonPlugins(s),
    'limit-count': {
      count: s.authRateLimit.count,
      time_window: s.authRateLimit.windowSeconds,
      key_type: 'var',
      key: 'remote_addr',
      rejected_code: 429,
      policy: 'local',
      show_limit_quota_header: true,
      _meta: rateLimited('too many login or registration attempts from this address; retry later'),
    },
  };
}

/** On /registry and /publisher: APISIX checks the token at the edge and counts requests per client address. */
export function protectedPlugins(s: GatewaySettings): Record<string, unknown> {
  const byAddress = s.rateLimit.key === 'address';
  return {
    ...commonPlugins(s),
    // The services verify the token again, so it must reach them.
    'jwt-auth': { header: 'authorization', hide_credentials: false },
    'limit-count': {
      count: s.rateLimit.count,
      time_window: s.rateLimit.windowSeconds,
      key_type: 'var',
      key: byAddress ? 'remote_addr' : 'consumer_name',
      rejected_code: 429,
      policy: 'local',
      // One counter across /registry and /publisher.
      group: rateLimitGroup(s),
      show_limit_quota_header: true,
      _meta: rateLimited('too many requests; retry later'),
    },
  };
}

/** A budget per client address at the edge: routes that take no JWT have no consumer to count by. */
function perAddress(s: GatewaySettings, message: string): Record<string, unknown> {
  return {
    'limit-count': {
      count: s.rateLimit.count,
      time_window: s.rateLimit.windowSeconds,
      key_type: 'var',
      key: 'remote_addr',
      rejected_code: 429,
      policy: 'local',
      show_limit_quota_header: true,
      _meta: rateLimited(message),
    },
  };
}

/**
 * On POST /publisher/hooks/*: no jwt-auth (the path token is the credential; the publisher checks
 * it and applies each webhook's own rate), but a budget per client address at the edge.
 */
export function webhookPlugins(s: GatewaySettings): Record<string, unknown> {
  return { ...commonPlugins(s), ...perAddress(s, 'too many webhook calls from this address; retry later') };
}

/**
 * On /publisher/fn/* (HTTP functions): no jwt-auth, since the edge cannot know which function is
 * public (the publisher checks a private one's token itself), and no cors: a function answers its
 * own preflights and sets its own CORS headers. A budget per client address.
 */
export function httpFunctionPlugins(s: GatewaySettings): Record<string, unknown> {
  const { cors: _cors, ...common } = commonPlugins(s);
  return { ...common, ...perAddress(s, 'too many calls to HTTP functions from this address; retry later') };
}
