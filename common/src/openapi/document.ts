import type { z } from 'zod';
import { errorBodySchema } from './common-schemas.js';
import { toOpenApiSchema, type JsonSchema } from './json-schema.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options';

export interface ApiResponse {
  readonly description: string;
  /** The JSON body's schema; none for an empty body (204) or another media type. */
  readonly schema?: z.ZodType;
  /** A body that is not JSON (text/html, text/plain): documented without a schema. */
  readonly mediaType?: string;
}

/**
 * One route as its Express router registers it, described with the zod schemas the route
 * itself parses its input with. Adding a route to the document is adding one of these.
 */
export interface ApiRoute {
  readonly method: HttpMethod;
  /** The router's own path, relative to the section prefix: `/functions/:name`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  /** Needs `Authorization: Bearer <token>`. */
  readonly auth?: boolean;
  readonly body?: z.ZodType;
  readonly query?: z.ZodObject;
  /** Path parameters' schemas by name; a plain string when not given. */
  readonly params?: Readonly<Record<string, z.ZodType>>;
  /** By status: a zod schema of a JSON body, or a response object. */
  readonly responses: Readonly<Record<number, z.ZodType | ApiResponse>>;
}

/** The routes of one router, mounted at `prefix` (`''` for the root). */
export interface ApiSection {
  readonly prefix: string;
  readonly tag: string;
  readonly description?: string;
  readonly routes: readonly ApiRoute[];
}

export interface ApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

export type OpenApiDocument = JsonSchema & {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, JsonSchema>>;
  readonly components: { schemas: Record<string, JsonSchema> };
};

/** `:name`, or `*name` (a wildcard of one or more segments: its value may contain `/`). */
const PARAM = /[:*]([A-Za-z0-9_]+)/g;

/** `/registry` + `/functions/:name` -> `/registry/functions/{name}`. */
export function openApiPath(prefix: string, path: string): string {
  const joined = `${prefix}${path === '/' ? '' : path}` || '/';
  return joined.replace(PARAM, '{$1}');
}

const isResponse = (value: z.ZodType | ApiResponse): value is ApiResponse => 'description' in value && !('safeParse' in value);
const optional = (schema: z.ZodType): boolean => schema.safeParse(undefined).success;

function responsesOf(route: ApiRoute, schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const error = { description: 'an error: `{"error": {"code", "message", "requestId"}}`', content: { 'application/json': { schema: toOpenApiSchema(errorBodySchema, 'output', schemas) } } };
  const out: Record<string, JsonSchema> = {};
  for (const [status, given] of Object.entries(route.responses)) {
    const response: ApiResponse = isResponse(given) ? given : { description: given.description ?? 'success', schema: given };
    const content = response.schema
      ? { content: { 'application/json': { schema: toOpenApiSchema(response.schema, 'output', schemas) } } }
      : response.mediaType
        ? { content: { [response.mediaType]: {} } }
        : {};
    out[status] = { description: response.description, ...content };
  }
  if ((route.body || route.query || route.params) && !out['400']) out['400'] = { ...error, description: 'invalid input' };
  if (route.auth && !out['401']) out['401'] = { ...error, description: 'no token, or a bad one' };
  out.default = error;
  return out;
}

function parametersOf(route: ApiRoute, schemas: Record<string, JsonSchema>): JsonSchema[] {
  const params: JsonSchema[] = [...route.path.matchAll(PARAM)].map(([, name = '']) => {
    const schema = route.params?.[name];
    return { name, in: 'path', required: true, schema: schema ? toOpenApiSchema(schema, 'input', schemas) : { type: 'string' } };
  });
  for (const [name, schema] of Object.entries(route.query?.shape ?? {}) as [string, z.ZodType][]) {
    params.push({ name, in: 'query', required: !optional(schema), schema: toOpenApiSchema(schema, 'input', schemas) });
  }
  return params;
}

function operationOf(section: ApiSection, route: ApiRoute, schemas: Record<string, JsonSchema>): JsonSchema {
  const parameters = parametersOf(route, schemas);
  const body = route.body;
  return {
    operationId: `${route.method}${openApiPath(section.prefix, route.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    tags: [section.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.auth ? { security: [{ bearerAuth: [] }] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: { required: !optional(body), content: { 'application/json': { schema: toOpenApiSchema(body, 'input', schemas) } } } } : {}),
    responses: responsesOf(route, schemas),
  };
}

/** The OpenAPI 3.1 document of the given routers' sections. */
export function openApiDocument(info: ApiInfo, sections: readonly ApiSection[]): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const section of sections) {
    for (const route of section.routes) {
      const path = openApiPath(section.prefix, route.path);
      const item = (paths[path] ??= {});
      if (item[route.method]) throw new Error(`OpenAPI: ${route.method.toUpperCase()} ${path} is described twice`);
      item[route.method] = operationOf(section, route, schemas);
    }
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    tags: [...new Map(sections.map((s) => [s.tag, { name: s.tag, ...(s.description ? { description: s.description } : {}) }])).values()],
    paths,
    components: { schemas, securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } } as OpenApiDocument['components'],
  };
}

/** An error response with its own description (`409: apiError('the name is taken')`). */
export const apiError = (description: string): ApiResponse => ({ description, schema: errorBodySchema });
