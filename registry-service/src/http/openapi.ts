import { apiError, functionDefinitionSchema, functionNameSchema, secretNameSchema, type ApiRoute } from '@faas/common';
import { z } from 'zod';
import { aliasRegistrationSchema } from '../functions/alias-routes.js';
import { functionSchemas } from '../functions/function-input.js';
import { pageQuery } from './http-input.js';
import { secretCreationSchema, secretReplacementSchema } from '../secrets/secret-routes.js';
import type { LimitPolicy } from '../functions/limits.js';
import { objectApiRoutes } from '../objects/object-openapi.js';
import { triggerApiRoutes } from '../triggers/trigger-openapi.js';

const withPayload = functionDefinitionSchema
  .extend({ payload: z.string().meta({ description: 'the image, under its original name' }) })
  .meta({ id: 'AliasFunction', description: "A function as the original project's routes answer it" });
const pageOf = (item: z.ZodType, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: 'pass as ?cursor= for the next page' }) }).meta({ id });
const functionPage = pageOf(functionDefinitionSchema, 'FunctionPage');
const aliasPage = pageOf(withPayload, 'AliasFunctionPage');
const params = { name: functionNameSchema };
const nameQuery = z.object({ name: functionNameSchema });
const deleted = { description: 'deleted' };
const missing = apiError('no such function of yours');
const secretMetadata = z
  .object({ name: secretNameSchema, version: z.number().int().min(1), createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() })
  .meta({ id: 'SecretMetadata', description: 'A secret without its value: the API never returns a value' });
const secretParams = { name: secretNameSchema };
const noSecret = apiError('no such secret of yours');
const noKey = apiError('SECRETS_KEY_FILE is not set: secrets are unavailable');

/** `/secrets` (secret-routes.ts). */
const secretApiRoutes: ApiRoute[] = [
  { method: 'post', path: '/secrets', summary: 'Store a secret (sealed with AES-256-GCM)', auth: true, body: secretCreationSchema, responses: { 201: secretMetadata, 409: apiError('the name is taken'), 413: apiError('the value is over 64 KiB'), 503: noKey } },
  { method: 'get', path: '/secrets', summary: 'Your secrets, by name (no values)', auth: true, responses: { 200: z.object({ items: z.array(secretMetadata) }).meta({ id: 'SecretList' }) } },
  { method: 'get', path: '/secrets/:name', summary: "One secret's metadata", auth: true, params: secretParams, responses: { 200: secretMetadata, 404: noSecret } },
  { method: 'put', path: '/secrets/:name', summary: "Replace a secret's value (version + 1)", auth: true, params: secretParams, body: secretReplacementSchema, responses: { 200: secretMetadata, 404: noSecret, 413: apiError('the value is over 64 KiB'), 503: noKey } },
  { method: 'delete', path: '/secrets/:name', summary: 'Delete a secret (functions that declare it then end as error)', auth: true, params: secretParams, responses: { 204: deleted, 404: noSecret } },
];

/** The /registry routes (routes.ts, alias-routes.ts), described with the schemas they parse their input with. */
export function registryApiRoutes(deps: { readonly limits: LimitPolicy; readonly objects: Parameters<typeof objectApiRoutes>[0] }): ApiRoute[] {
  const schemas = functionSchemas(deps.limits);
  return [
    { method: 'post', path: '/functions', summary: 'Register a function', auth: true, body: schemas.create, responses: { 201: functionDefinitionSchema, 409: apiError('the name is taken') } },
    { method: 'get', path: '/functions', summary: 'Your functions, by name', auth: true, query: pageQuery, responses: { 200: functionPage } },
    { method: 'get', path: '/functions/:name', summary: 'One function', auth: true, params, responses: { 200: functionDefinitionSchema, 404: missing } },
    {
      method: 'put',
      path: '/functions/:name',
      summary: 'Replace a function (omitted fields go back to their defaults)',
      description: 'With `revision`, only when it is the current one (409 otherwise). The read-only fields of a GET are accepted and ignored.',
      auth: true,
      params,
      body: schemas.replace,
      responses: { 200: functionDefinitionSchema, 404: missing, 409: apiError('revision is not the current one') },
    },
    { method: 'delete', path: '/functions/:name', summary: 'Delete a function', auth: true, params, responses: { 204: deleted, 404: missing } },
    ...secretApiRoutes,
    ...triggerApiRoutes,
    { method: 'post', path: '/register', summary: 'Register a function (original API: payload is the image)', auth: true, body: aliasRegistrationSchema(deps.limits), responses: { 201: withPayload } },
    { method: 'get', path: '/list', summary: 'Your functions (original API)', auth: true, query: pageQuery, responses: { 200: aliasPage } },
    { method: 'get', path: '/retrieve', summary: 'One function (original API)', auth: true, query: nameQuery, responses: { 200: withPayload, 404: missing } },
    {
      method: 'delete',
      path: '/delete',
      summary: 'Delete a function (original API): name in the query or the body',
      auth: true,
      query: nameQuery.partial(),
      body: nameQuery.optional(),
      responses: { 204: deleted, 404: missing },
    },
    ...objectApiRoutes(deps.objects),
  ];
}
