import {
  BUCKETS,
  createHttpApp,
  createTokenVerifier,
  natsReadiness,
  openAccountGuard,
  serviceRouter,
  openBucket,
  type AccountControls,
  type Logger,
  type Metrics,
  type ReadinessCheck,
} from '@faas/common';
import type { Express, Router } from 'express';
import type { NatsConnection } from 'nats';
import { createAccountWriter } from './account-writer.js';
import { ensureAdmin } from './admin-bootstrap.js';
import { adminRoutes, type AdminRouteDeps } from './admin-routes.js';
import type { AuthConfig } from './config.js';
import { authRoutes, type AuthRouteDeps } from './routes.js';
import { createUserEraser } from './user-erasure.js';
import { createUserStore } from './user-store.js';

export const AUTH_PREFIX = '/auth';

export interface AuthDeps extends AuthRouteDeps, AdminRouteDeps {
  readonly ready: ReadinessCheck;
  readonly accountControls: AccountControls;
}

/** Everything under `/auth`: health, readiness, the user API and the admin API. */
export function authRouter(deps: AuthDeps): Router {
  return serviceRouter(deps.ready, authRoutes(deps), adminRoutes(deps));
}

export function createApp(deps: AuthDeps & { logger: Logger; metrics: Metrics }): Express {
  return createHttpApp({ logger: deps.logger, metrics: deps.metrics, mounts: [{ prefix: AUTH_PREFIX, router: authRouter(deps) }] });
}

/** Opens the users and accounts buckets, sets up the first admin, and wires the ports the routes need. */
export async function connectAuthDeps(nc: NatsConnection, config: AuthConfig, logger: Logger): Promise<AuthDeps> {
  const kv = await openBucket(nc, BUCKETS.users, { replicas: config.natsReplicas });
  const guard = await openAccountGuard(nc, config.natsReplicas, createTokenVerifier(config.token), logger);
  const users = createUserStore(kv);
  if (config.admin) await ensureAdmin({ users, bcryptCost: config.bcryptCost }, config.admin, logger);
  return {
    users,
    accounts: createAccountWriter(guard.kv),
    eraseUser: createUserEraser(nc, logger),
    accountControls: guard.controls,
    bcryptCost: config.bcryptCost,
    token: config.token,
    verifyToken: guard.verifyToken,
    passwordMinLength: config.passwordMinLength,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(config.admin ? { adminUsername: config.admin.username } : {}),
    ready: natsReadiness(nc, [kv, guard.kv]),
  };
}
