/** What the configurator is told about the stack: the gateway's settings, shared by the config and its plugins. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * `address`: one counter per client address; `consumer`: one counter for the one consumer, i.e.
 * all users together. The per-user limit is the services' (USER_RATE_LIMIT_*): every user shares
 * the one jwt-auth consumer, so APISIX 3.11 has no per-user key.
 */
export type RateLimitKey = 'address' | 'consumer';

export interface GatewaySettings {
  readonly upstreams: { readonly auth: HostPort; readonly registry: HostPort; readonly publisher: HostPort; readonly portal: HostPort };
  readonly jwt: { readonly consumerKey: string; readonly secret: string };
  readonly rateLimit: { readonly count: number; readonly windowSeconds: number; readonly key: RateLimitKey };
  /** POST /auth/login and /auth/register, per client address. */
  readonly authRateLimit: { readonly count: number; readonly windowSeconds: number };
  /** Above the longest function timeout, so APISIX never cuts a synchronous execution short. */
  readonly publisherReadTimeoutSeconds: number;
  /** `*` or a comma-separated list of origins, as the cors plugin takes it. */
  readonly corsAllowOrigins: string;
}
