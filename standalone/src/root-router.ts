import { API_VERSION, docsApiRoutes, metricsApiSection, openApiDocument, openApiRouter, type ApiSection, type OpenApiDocument } from '@faas/common';
import { portalRouter } from '@faas/portal';
import { Router } from 'express';

/** The whole platform's document: every service's section, and the root's own routes. */
export function platformApiDocument(services: readonly ApiSection[]): OpenApiDocument {
  const root: ApiSection = { ...metricsApiSection, routes: [...metricsApiSection.routes, ...docsApiRoutes] };
  return openApiDocument(
    {
      title: 'FaaS platform',
      version: API_VERSION,
      description: 'Register functions (Docker images) and run them with a string argument. Errors are `{"error": {"code", "message", "requestId"}}`.',
    },
    [...services, root],
  );
}

/** What standalone mode serves at `/`: the whole OpenAPI document, its docs page, and the portal. */
export function rootRouter(services: readonly ApiSection[], portalDir?: string): Router {
  const router = Router();
  router.use(openApiRouter(platformApiDocument(services)));
  router.use(portalRouter(portalDir));
  return router;
}
