import { envFields, jwtEnvShape, limitCeilingsEnvShape, parseConfig, readSecretFile, type Env } from '@faas/common';
import { z } from 'zod';
import type { EtcdAuthSettings } from './etcd-auth.js';
import type { GatewaySettings, HostPort } from './gateway-config.js';

const secretFile = (what: string) =>
  z
    .string({ error: `required: path to the ${what} file` })
    .min(1, `required: path to the ${what} file`)
    .transform((path, ctx) => {
      try {
        return readSecretFile(path);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `cannot read ${what} file ${path}: ${err instanceof Error ? err.message : String(err)}` });
        return z.NEVER;
      }
    });

const hostPort = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .pipe(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port (a Swarm service name and its port)'))
    .transform((value): HostPort => {
      const [host = '', port = ''] = value.split(':');
      return { host, port: Number(port) };
    })
    .refine((target) => target.port >= 1 && target.port <= 65_535, 'port out of range');

const ORIGIN = /^https?:\/\/[^\s,/]+$/;
const corsOrigins = z
  .string()
  .default('*')
  .transform((value) => value.split(',').map((o) => o.trim()).filter(Boolean))
  .refine((origins) => origins.length > 0, 'at least one origin, or *')
  .refine(
    (origins) => (origins.length === 1 && origins[0] === '*') || origins.every((o) => ORIGIN.test(o)),
    'either * or a comma-separated list of origins such as https://app.example.com',
  )
  .transform((origins) => origins.join(','));

const schema = z
  .object({
    APISIX_ADMIN_URL: z.url({ protocol: /^https?$/ }).default('http://apisix:9180'),
    APISIX_ADMIN_KEY_FILE: secretFile('APISIX admin key'),
    JWT_SECRET_FILE: jwtEnvShape.JWT_SECRET_FILE,
    JWT_CONSUMER_KEY: jwtEnvShape.JWT_CONSUMER_KEY,
    AUTH_UPSTREAM: hostPort('auth-service:8081'),
    REGISTRY_UPSTREAM: hostPort('registry-service:8082'),
    PUBLISHER_UPSTREAM: hostPort('publisher-service:8083'),
    PORTAL_UPSTREAM: hostPort('portal:8085'),
    RATE_LIMIT_COUNT: envFields.int(1, 1_000_000_000).default(600),
    RATE_LIMIT_WINDOW_SECONDS: envFields.int(1, 86_400).default(60),
    RATE_LIMIT_KEY: z.enum(['address', 'consumer'], { error: 'address or consumer (per-user limits are the services\' USER_RATE_LIMIT_*)' }).default('address'),
    AUTH_RATE_LIMIT_COUNT: envFields.int(1, 1_000_000).default(20),
    AUTH_RATE_LIMIT_WINDOW_SECONDS: envFields.int(1, 86_400).default(60),
    // The same variable as the registry's and the spawner's ceiling (one definition, in common).
    MAX_TIMEOUT_SECONDS: limitCeilingsEnvShape.MAX_TIMEOUT_SECONDS,
    PUBLISHER_TIMEOUT_MARGIN_SECONDS: envFields.int(1, 3_600).default(30),
    CORS_ALLOW_ORIGINS: corsOrigins,
    WAIT_TIMEOUT_SECONDS: envFields.int(1, 86_400).default(300),
    LOG_LEVEL: envFields.logLevel,
    // etcd auth (etcd-auth.ts): both password files, or neither (an etcd someone else secured).
    ETCD_URL: z.url({ protocol: /^https?$/ }).default('http://etcd:2379'),
    ETCD_ROOT_PASSWORD_FILE: secretFile('etcd root password').optional(),
    ETCD_APISIX_PASSWORD_FILE: secretFile('etcd APISIX password').optional(),
    ETCD_APISIX_USER: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('apisix'),
    ETCD_PREFIX: z.string().regex(/^\/[A-Za-z0-9_/-]{1,128}$/).default('/apisix'),
  })
  .refine((env) => (env.ETCD_ROOT_PASSWORD_FILE === undefined) === (env.ETCD_APISIX_PASSWORD_FILE === undefined), {
    message: 'ETCD_ROOT_PASSWORD_FILE and ETCD_APISIX_PASSWORD_FILE: give both or neither',
    path: ['ETCD_APISIX_PASSWORD_FILE'],
  })
  .transform((env) => ({
    admin: {
      url: env.APISIX_ADMIN_URL.replace(/\/+$/, ''),
      apiKey: env.APISIX_ADMIN_KEY_FILE,
      waitTimeoutMs: env.WAIT_TIMEOUT_SECONDS * 1000,
    },
    gateway: {
      upstreams: { auth: env.AUTH_UPSTREAM, registry: env.REGISTRY_UPSTREAM, publisher: env.PUBLISHER_UPSTREAM, portal: env.PORTAL_UPSTREAM },
      jwt: { consumerKey: env.JWT_CONSUMER_KEY, secret: env.JWT_SECRET_FILE },
      rateLimit: { count: env.RATE_LIMIT_COUNT, windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS, key: env.RATE_LIMIT_KEY },
      authRateLimit: { count: env.AUTH_RATE_LIMIT_COUNT, windowSeconds: env.AUTH_RATE_LIMIT_WINDOW_SECONDS },
      publisherReadTimeoutSeconds: env.MAX_TIMEOUT_SECONDS + env.PUBLISHER_TIMEOUT_MARGIN_SECONDS,
      corsAllowOrigins: env.CORS_ALLOW_ORIGINS,
    } satisfies GatewaySettings,
    etcd:
      env.ETCD_ROOT_PASSWORD_FILE !== undefined && env.ETCD_APISIX_PASSWORD_FILE !== undefined
        ? ({
            url: env.ETCD_URL,
            rootPassword: env.ETCD_ROOT_PASSWORD_FILE,
            apisixUser: env.ETCD_APISIX_USER,
            apisixPassword: env.ETCD_APISIX_PASSWORD_FILE,
            prefix: env.ETCD_PREFIX,
          } satisfies EtcdAuthSettings)
        : undefined,
    logLevel: env.LOG_LEVEL,
  }));

export type GatewayConfig = Readonly<z.output<typeof schema>>;

/** The only reader of the configurator's environment; every problem is reported at once. */
export function loadGatewayConfig(env: Env): GatewayConfig {
  return parseConfig(schema, env);
}
