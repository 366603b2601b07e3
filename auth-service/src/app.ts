import {
  BUCKETS,
  createHttpApp,
  createTokenVerifier,
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
  return {
    users: createUserStore(kv),
    bcryptCost: config.bcryptCost,
    token: config.token,
    verifyToken: createTokenVerifier(config.token),
    passwordMinLength: config.passwordMinLength,
    bodyLimitBytes: config.bodyLimitBytes,
    ready: natsReadiness(nc, [kv]),
  };
}
