import { z } from 'zod';
import { healthSchema, notReadySchema, readySchema } from './common-schemas.js';
import { DOCS_ASSETS } from './docs-router.js';
import { openApiDocument, type ApiRoute, type ApiSection, type OpenApiDocument } from './document.js';

export const API_VERSION = '1.0.0';

/** `/health` and `/ready`, under every service's prefix (healthRouter). */
export const healthApiRoutes: readonly ApiRoute[] = [
  { method: 'get', path: '/health', summary: 'Liveness: the process answers', responses: { 200: healthSchema } },
  { method: 'get', path: '/ready', summary: 'Readiness: NATS and the buckets answer', responses: { 200: readySchema, 503: notReadySchema } },
];

/** `/openapi.json` and `/docs` (openApiRouter). */
export const docsApiRoutes: readonly ApiRoute[] = [
  { method: 'get', path: '/openapi.json', summary: 'This OpenAPI 3.1 document', responses: { 200: { description: 'the document', mediaType: 'application/json' } } },
  { method: 'get', path: '/docs', summary: 'The API reference page (Swagger UI)', responses: { 200: { description: 'an HTML page', mediaType: 'text/html' } } },
  {
    method: 'get',
    path: '/docs/:asset',
    summary: "The reference page's scripts and styles",
    params: { asset: z.enum(['init.js', ...Object.keys(DOCS_ASSETS)]) },
    responses: { 200: { description: 'a static file', mediaType: 'application/octet-stream' } },
  },
];

/** `/metrics`, on each service's own port (createHttpApp); the gateway does not route it. */
export const metricsApiSection: ApiSection = {
  prefix: '',
  tag: 'operations',
  description: "Prometheus metrics, on each service's own port (not routed through the gateway)",
  routes: [{ method: 'get', path: '/metrics', summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text format', mediaType: 'text/plain' } } }],
};

/** A service's section: its own routes, then its health and docs routes. */
export function serviceApiSection(section: ApiSection): ApiSection {
  return { ...section, routes: [...section.routes, ...healthApiRoutes, ...docsApiRoutes] };
}

/** The document one service serves: its section and /metrics. */
export function serviceApiDocument(name: string, section: ApiSection): OpenApiDocument {
  return openApiDocument({ title: `FaaS platform: ${name}`, version: API_VERSION }, [section, metricsApiSection]);
}
