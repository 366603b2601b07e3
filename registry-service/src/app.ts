import {
  BUCKETS,
  createHttpApp,
  openObjectBucket,
  openObjectUsage,
  uploadsUsage,
  createUserAdmission,
  natsReadiness,
  openAccountGuard,
  serviceRouter,
  openBucket,
  leaderKeyLister,
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
import { aliasRoutes } from './functions/alias-routes.js';
import type { RegistryConfig } from './config.js';
import { createFunctionStore } from './functions/function-store.js';
import { objectRoutes } from './objects/object-routes.js';
import type { ObjectDeps } from './objects/objects.js';
import { registryApiRoutes } from './http/openapi.js';
import { functionRoutes, type RegistryRouteDeps } from './functions/routes.js';
import { secretRoutes, type SecretRouteDeps } from './secrets/secret-routes.js';
import { createSecretStore } from './secrets/secret-store.js';
import { triggerRoutes, type TriggerRouteDeps } from './triggers/trigger-routes.js';
import { createTriggerStore } from './triggers/trigger-store.js';

export const REGISTRY_PREFIX = '/registry';

export interface RegistryDeps extends RegistryRouteDeps, SecretRouteDeps, TriggerRouteDeps {
  readonly ready: ReadinessCheck;
  readonly objects: ObjectDeps;
}

/** The OpenAPI section of everything registryRouter serves. */
export function registryApiSection(deps: Pick<RegistryDeps, 'limits' | 'objects'>): ApiSection {
  return serviceApiSection({ prefix: REGISTRY_PREFIX, tag: 'registry', description: 'Your functions: Docker images with limits; your secrets and objects', routes: registryApiRoutes(deps) });
}

/** Everything under `/registry`: health, readiness, its OpenAPI document, the function API, secrets and the legacy aliases. */
export function registryRouter(deps: RegistryDeps): Router {
  const document = serviceApiDocument('registry-service', registryApiSection(deps));
  return serviceRouter(
    deps.ready,
    openApiRouter(document),
    functionRoutes(deps),
    secretRoutes(deps),
    triggerRoutes(deps),
    aliasRoutes(deps),
    objectRoutes({ ...deps.objects, verifyToken: deps.verifyToken }),
  );
}

export function createApp(deps: RegistryDeps & { logger: Logger; metrics: Metrics }): Express {
  return createHttpApp({ logger: deps.logger, metrics: deps.metrics, mounts: [{ prefix: REGISTRY_PREFIX, router: registryRouter(deps) }] });
}

/** Opens the functions, secrets, triggers and accounts buckets and wires the ports the routes need. */
export async function connectRegistryDeps(nc: NatsConnection, config: RegistryConfig, logger: Logger): Promise<RegistryDeps> {
  const replicas = config.natsReplicas;
  // The registry owns the settings of the functions, secrets, trigger and object buckets. Its
  // reads go to the leader: a PUT or DELETE reads before it writes (a lagging replica answered a
  // wrong 404 or a false 409 right after a create), and the publisher asks for a function the
  // user may have created a moment ago (a 404 on the README's create-then-run).
  const [kv, secretsKv, triggersKv, tokensKv] = await Promise.all([
    openBucket(nc, BUCKETS.functions, { replicas, owner: logger, leaderReads: true }),
    openBucket(nc, BUCKETS.secrets, { replicas, owner: logger, leaderReads: true }),
    openBucket(nc, BUCKETS.triggers, { replicas, owner: logger, leaderReads: true }),
    openBucket(nc, BUCKETS.triggerTokens, { replicas, owner: logger, leaderReads: true }),
  ]);
  const guard = await openAccountGuard(nc, replicas, await createUserAdmission(nc, config.token, replicas), logger);
  if (!config.keyring) logger.warn('SECRETS_KEY_FILE is not set: the secrets API answers 503');
  return {
    // Listings from the leader too: a trigger cap counts them, and a user lists what they just made.
    functions: createFunctionStore(kv, leaderKeyLister(nc, BUCKETS.functions)),
    secrets: createSecretStore(secretsKv, leaderKeyLister(nc, BUCKETS.secrets)),
    triggers: createTriggerStore(triggersKv, tokensKv, leaderKeyLister(nc, BUCKETS.triggers)),
    caps: config.triggerCaps,
    ...(config.keyring ? { keyring: config.keyring } : {}),
    verifyToken: guard.verifyToken,
    limits: config.limits,
    bodyLimitBytes: config.bodyLimitBytes,
    objects: await connectObjectDeps(nc, config, logger),
    ready: natsReadiness(nc, [kv, secretsKv, triggersKv, guard.kv]),
  };
}

/** The uploads bucket and the outputs bucket (its TTL is the execution records'). */
export async function connectObjectDeps(nc: NatsConnection, config: RegistryConfig, owner?: Logger): Promise<ObjectDeps> {
  const own = owner ? { owner } : {};
  const settings = config.objects;
  const [uploads, outputs] = await Promise.all([
    openObjectBucket(nc, BUCKETS.objects, { replicas: config.natsReplicas, maxBytes: settings.uploadsMaxBytes, index: BUCKETS.objectIndex, ...own }),
    openObjectBucket(nc, BUCKETS.outputs, { replicas: config.natsReplicas, ttlMs: settings.outputsTtlMs, maxBytes: settings.outputsMaxBytes, index: BUCKETS.outputIndex, ...own }),
  ]);
  const usage = await openObjectUsage(nc, { replicas: config.natsReplicas, outputsTtlMs: settings.outputsTtlMs, seed: uploadsUsage(uploads), ...own });
  return { uploads, outputs, usage, maxObjectBytes: settings.maxObjectBytes, maxBytesPerUser: settings.maxBytesPerUser, maxObjectsPerUser: settings.maxObjectsPerUser };
}
