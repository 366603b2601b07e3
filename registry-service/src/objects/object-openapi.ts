import { apiError, type ApiRoute } from '@faas/common';
import { z } from 'zod';
import { objectListQuery } from './object-routes.js';

const objectSchema = z
  .object({
    name: z.string(),
    size: z.number().int(),
    digest: z.string().meta({ description: '`SHA-256=<base64url>` of the content; the GET etag' }),
    contentType: z.string(),
    mtime: z.string(),
  })
  .meta({ id: 'StoredObject', description: 'An object of yours' });
const objectPage = z.object({ items: z.array(objectSchema), nextCursor: z.string().nullable() }).meta({ id: 'ObjectPage' });
const name = z.string().meta({ description: 'a path-like name (`data/2026/in.csv`): /-separated segments of letters, digits, . _ -; no `..`; at most 255 bytes' });
const params = { name };
const missing = apiError('no such object of yours');

/** The /registry/objects routes (object-routes.ts). */
export function objectApiRoutes(limits: { readonly maxObjectBytes: number; readonly maxBytesPerUser: number; readonly maxObjectsPerUser: number }): ApiRoute[] {
  return [
    { method: 'get', path: '/objects', summary: 'Your objects (uploads and execution outputs), by name', auth: true, query: objectListQuery, responses: { 200: objectPage } },
    {
      method: 'put',
      path: '/objects/*name',
      summary: 'Upload an object (the raw body, streamed)',
      description: `The body is stored as is, with its content-type. At most ${limits.maxObjectBytes} bytes (MAX_OBJECT_BYTES) and your quota (uploads and outputs together: MAX_OBJECT_BYTES_PER_USER, ${limits.maxBytesPerUser} bytes, each object at least 128 KiB; MAX_OBJECTS_PER_USER, ${limits.maxObjectsPerUser} objects): 413 past either, with nothing stored. 507 when the uploads bucket is full (OBJECTS_MAX_BYTES). Names under executions/ are reserved for outputs.`,
      auth: true,
      params,
      responses: {
        201: objectSchema,
        413: apiError('over MAX_OBJECT_BYTES or your quota; nothing stored'),
        507: apiError('the uploads bucket is full (STORAGE_FULL); nothing stored'),
      },
    },
    {
      method: 'get',
      path: '/objects/*name',
      summary: 'Download an object (streamed, with content-length, etag and its content-type)',
      auth: true,
      params,
      responses: { 200: { description: 'the content', mediaType: '*/*' }, 404: missing },
    },
    { method: 'delete', path: '/objects/*name', summary: 'Delete an object', auth: true, params, responses: { 204: { description: 'deleted' }, 404: missing } },
  ];
}
