import {
  BUCKETS,
  createHttpApp,
  createUserTokenVerifier,
  natsReadiness,
  serviceRouter,
  openBucket,
  openApiRouter,
  serviceApiDocument,
  serviceApiSection,
  type ApiSection,
  type Logger,
  type Metrics,
  type ReadinessCheck,
} from '@faas/common';
import type { Express, Router } from 'express';
import type { NatsConnection } from 'nats';
import type { AuthConfig } from './config.js';
import { authApiRoutes } from './openapi.js';
import { createKvFailureStore, createMemoryFailureStore, LOGIN_FAILURES_BUCKET, LOGIN_FAILURES_TTL_MS } from './failure-store.js';
import { createLoginGuard } from './login-guard.js';
import { createPasswordPool } from './password-hasher.js';
import { authRoutes, type AuthRouteDeps } from './routes.js';
import { createUserStore } from './user-store.js';

export const AUTH_PREFIX = '/auth';

export interface AuthDeps extends AuthRouteDeps {
  readonly ready: ReadinessCheck;
}

/** The OpenAPI section of everything authRouter serves. */
export function authApiSection(deps: Pick<AuthDeps, 'passwordMinLength'>): ApiSection {
  return serviceApiSection({ prefix: AUTH_PREFIX, tag: 'auth', description: 'Users: register, log in, validate a token', routes: authApiRoutes(deps) });
}

/** Everything under `/auth`: health, readiness, the user API and its OpenAPI document. */
export function authRouter(deps: AuthDeps): Router {
  const document = serviceApiDocument('auth-service', authApiSection(deps));
  return serviceRouter(deps.ready, openApiRouter(document), authRoutes(deps));
}

export function createApp(deps: AuthDeps & { logger: Logger; metrics: Metrics }): Express {
  return createHttpApp({ logger: deps.logger, metrics: deps.metrics, mounts: [{ prefix: AUTH_PREFIX, router: authRouter(deps) }] });
}

/** Opens the users bucket and wires the ports the routes need. */
export async function connectAuthDeps(nc: NatsConnection, config: AuthConfig): Promise<AuthDeps> {
  const kv = await openBucket(nc, BUCKETS.users, { replicas: config.natsReplicas });
  const failures = await openBucket(nc, LOGIN_FAILURES_BUCKET, { replicas: config.natsReplicas, ttlMs: LOGIN_FAILURES_TTL_MS });
  return {
    users: createUserStore(kv),
    bcryptCost: config.bcryptCost,
    passwords: createPasswordPool(config.bcryptThreads, config.bcryptNice),
    guard: createLoginGuard(config.loginGuard, { users: createKvFailureStore(failures), addresses: createMemoryFailureStore() }),
    trustedProxyHops: config.trustedProxyHops,
    token: config.token,
    verifyToken: await createUserTokenVerifier(nc, config.token, config.natsReplicas),
    passwordMinLength: config.passwordMinLength,
    bodyLimitBytes: config.bodyLimitBytes,
    ready: natsReadiness(nc, [kv, failures]),
  };
}
