import {
  BUCKETS,
  createHttpApp,
  createUserAdmission,
  natsReadiness,
  openAccountGuard,
  USER_REQUESTS_BUCKET,
  USER_REQUESTS_TTL_MS,
  serviceRouter,
  openBucket,
  openApiRouter,
  serviceApiDocument,
  serviceApiSection,
  type AccountControls,
  type ApiSection,
  type Logger,
  type Metrics,
  type ReadinessCheck,
} from '@faas/common';
import type { Express, Router } from 'express';
import { createKvAdminLock } from './admin-lock.js';
import type { NatsConnection } from 'nats';
import { createAccountWriter } from './account-writer.js';
import { ensureAdmin } from './admin-bootstrap.js';
import { adminRoutes, type AdminRouteDeps } from './admin-routes.js';
import type { AuthConfig } from './config.js';
import { authApiRoutes } from './openapi.js';
import { createKvFailureStore, createMemoryFailureStore, LOGIN_FAILURES_BUCKET, LOGIN_FAILURES_TTL_MS } from './failure-store.js';
import { createLoginGuard } from './login-guard.js';
import { createPasswordPool } from './password-hasher.js';
import { authRoutes, type AuthRouteDeps } from './routes.js';
import { createUserEraser } from './user-erasure.js';
import { createUserStore } from './user-store.js';

export const AUTH_PREFIX = '/auth';

export interface AuthDeps extends AuthRouteDeps, AdminRouteDeps {
  readonly ready: ReadinessCheck;
  readonly accountControls: AccountControls;
}

/** The OpenAPI section of everything authRouter serves. */
export function authApiSection(deps: Pick<AuthDeps, 'passwordMinLength'>): ApiSection {
  return serviceApiSection({ prefix: AUTH_PREFIX, tag: 'auth', description: 'Users: register, log in, validate a token; the admin API', routes: authApiRoutes(deps) });
}

/** Everything under `/auth`: health, readiness, the user API, the admin API and its OpenAPI document. */
export function authRouter(deps: AuthDeps): Router {
  const document = serviceApiDocument('auth-service', authApiSection(deps));
  return serviceRouter(deps.ready, openApiRouter(document), authRoutes(deps), adminRoutes(deps));
}

export function createApp(deps: AuthDeps & { logger: Logger; metrics: Metrics }): Express {
  return createHttpApp({ logger: deps.logger, metrics: deps.metrics, mounts: [{ prefix: AUTH_PREFIX, router: authRouter(deps) }] });
}

/** Opens the users and accounts buckets, sets up the first admin, and wires the ports the routes need. */
export async function connectAuthDeps(nc: NatsConnection, config: AuthConfig, logger: Logger): Promise<AuthDeps> {
  // The auth service owns the settings of the users and login-failures buckets.
  const kv = await openBucket(nc, BUCKETS.users, { replicas: config.natsReplicas, owner: logger, leaderReads: true });
  // Leader reads: a backoff is decided on the count read (failure-store.ts).
  const failures = await openBucket(nc, LOGIN_FAILURES_BUCKET, { replicas: config.natsReplicas, ttlMs: LOGIN_FAILURES_TTL_MS, owner: logger, leaderReads: true });
  // Auth alone creates `accounts` and `user-requests` and sets their limits (docs/internal-trust.md).
  await openBucket(nc, USER_REQUESTS_BUCKET, { replicas: config.natsReplicas, ttlMs: USER_REQUESTS_TTL_MS, owner: logger });
  const guard = await openAccountGuard(nc, config.natsReplicas, await createUserAdmission(nc, config.token, config.natsReplicas), logger, { owner: true });
  const users = createUserStore(kv);
  const passwords = createPasswordPool(config.bcryptThreads, config.bcryptNice);
  if (config.admin) await ensureAdmin({ users, passwords, bcryptCost: config.bcryptCost }, config.admin, logger);
  return {
    users,
    accounts: createAccountWriter(guard.kv),
    eraseUser: createUserEraser(nc, logger),
    adminLock: createKvAdminLock(kv),
    accountControls: guard.controls,
    bcryptCost: config.bcryptCost,
    passwords,
    guard: createLoginGuard(config.loginGuard, { users: createKvFailureStore(failures), addresses: createMemoryFailureStore() }),
    trustedProxyHops: config.trustedProxyHops,
    token: config.token,
    verifyToken: guard.verifyToken,
    passwordMinLength: config.passwordMinLength,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(config.admin ? { adminUsername: config.admin.username } : {}),
    ready: natsReadiness(nc, [kv, failures, guard.kv]),
  };
}
