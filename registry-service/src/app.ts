import {
  BUCKETS,
  createHttpApp,
  openObjectBucket,
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
import { aliasRoutes } from './alias-routes.js';
import type { RegistryConfig } from './config.js';
import { createFunctionStore } from './function-store.js';
import { objectRoutes } from './object-routes.js';
import type { ObjectDeps } from './objects.js';
import { registryApiRoutes } from './openapi.js';
import { functionRoutes, type RegistryRouteDeps } from './routes.js';

export const REGISTRY_PREFIX = '/registry';

export interface RegistryDeps extends RegistryRouteDeps {
  readonly ready: ReadinessCheck;
  readonly objects: ObjectDeps;
}

/** The OpenAPI section of everything registryRouter serves. */
export function registryApiSection(deps: Pick<RegistryDeps, 'limits' | 'objects'>): ApiSection {
  return serviceApiSection({ prefix: REGISTRY_PREFIX, tag: 'registry', description: 'Your functions: Docker images with limits', routes: registryApiRoutes(deps) });
}

/** Everything under `/registry`: health, readiness, its OpenAPI document, the function API and its legacy aliases. */
export function registryRouter(deps: RegistryDeps): Router {
  const document = serviceApiDocument('registry-service', registryApiSection(deps));
  return serviceRouter(deps.ready, openApiRouter(document), functionRoutes(deps), aliasRoutes(deps), objectRoutes({ ...deps.objects, verifyToken: deps.verifyToken }));
}

export function createApp(deps: RegistryDeps & { logger: Logger; metrics: Metrics }): Express {
  return createHttpApp({ logger: deps.logger, metrics: deps.metrics, mounts: [{ prefix: REGISTRY_PREFIX, router: registryRouter(deps) }] });
}

/** Opens the functions bucket and wires the ports the routes need. */
export async function connectRegistryDeps(nc: NatsConnection, config: RegistryConfig): Promise<RegistryDeps> {
  const kv = await openBucket(nc, BUCKETS.functions, { replicas: config.natsReplicas });
  return {
    functions: createFunctionStore(kv),
    verifyToken: await createUserTokenVerifier(nc, config.token, config.natsReplicas),
    limits: config.limits,
    bodyLimitBytes: config.bodyLimitBytes,
    objects: await connectObjectDeps(nc, config),
    ready: natsReadiness(nc, [kv]),
  };
}

/** The uploads bucket and the outputs bucket (its TTL is the execution records'). */
export async function connectObjectDeps(nc: NatsConnection, config: RegistryConfig): Promise<ObjectDeps> {
  const [uploads, outputs] = await Promise.all([
    openObjectBucket(nc, BUCKETS.objects, { replicas: config.natsReplicas }),
    openObjectBucket(nc, BUCKETS.outputs, { replicas: config.natsReplicas, ttlMs: config.objects.outputsTtlMs }),
  ]);
  return { uploads, outputs, maxObjectBytes: config.objects.maxObjectBytes, maxBytesPerUser: config.objects.maxBytesPerUser };
}
