import { createHttpApp, openApiRouter, serviceApiDocument, serviceApiSection, serviceRouter, type ApiSection, type Metrics, type ReadinessCheck, type Tracing } from '@faas/common';
import type { Express, Router } from 'express';
import { callbackKeyApiRoutes, callbackKeyRoutes } from '../callbacks/callback-key-routes.js';
import type { CallbackKeys } from '../callbacks/callback-keys.js';
import { publisherApiRoutes } from '../executions/openapi.js';
import { publisherRoutes, type PublisherRouteDeps } from '../executions/routes.js';
import { httpFunctionApiRoutes } from '../functions/http/http-openapi.js';
import { httpFunctionRoutes, type HttpRouteDeps } from '../functions/http/http-routes.js';
import { webhookRoutes } from '../triggers/webhook-routes.js';
import type { WebhookDeps } from '../triggers/webhooks.js';

export const PUBLISHER_PREFIX = '/publisher';

export interface PublisherDeps extends PublisherRouteDeps {
  readonly ready: ReadinessCheck;
  readonly callbackKeys: CallbackKeys;
  /** `POST /publisher/hooks/:token` (no JWT: the token is the credential). */
  readonly webhooks: WebhookDeps;
  /** Answers every waiting sync caller 202 with its status URL now (call first when stopping). */
  endSyncWaits(): void;
  /** Stops listening for results (call before draining NATS). */
  close(): void;
  /** The accept spans' exporter (OTEL_EXPORTER_OTLP_ENDPOINT); shut it down last, to send what is left. */
  readonly tracing: Tracing;
  /** `ALL /publisher/fn/<username>/<function>/…` (HTTP functions; a private one checks the JWT itself). */
  readonly httpFunctions: Omit<HttpRouteDeps, keyof PublisherRouteDeps>;
}

/** The OpenAPI section of everything publisherRouter serves. */
export function publisherApiSection(): ApiSection {
  return serviceApiSection({ prefix: PUBLISHER_PREFIX, tag: 'publisher', description: 'Executions: run functions, read their records', routes: [...publisherApiRoutes, ...httpFunctionApiRoutes, ...callbackKeyApiRoutes] });
}

/** Everything under `/publisher`; the OpenAPI router, webhooks and HTTP functions come first: the execution routes need a token. */
export function publisherRouter(deps: PublisherDeps): Router {
  const webhooks = webhookRoutes({ ...deps.webhooks, maxBodyBytes: deps.maxArgumentBytes });
  const httpFunctions = httpFunctionRoutes({ ...deps, ...deps.httpFunctions });
  return serviceRouter(deps.ready, openApiRouter(serviceApiDocument('publisher-service', publisherApiSection())), webhooks, httpFunctions, callbackKeyRoutes(deps), publisherRoutes(deps));
}

export function createApp(deps: PublisherDeps & { metrics: Metrics }): Express {
  return createHttpApp({ logger: deps.logger, metrics: deps.metrics, mounts: [{ prefix: PUBLISHER_PREFIX, router: publisherRouter(deps) }] });
}

