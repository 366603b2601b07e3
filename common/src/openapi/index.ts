export * from './api-routes.js';
export * from './common-schemas.js';
export * from './docs-router.js';
export * from './document.js';
export { toOpenApiSchema, type JsonSchema } from './json-schema.js';
