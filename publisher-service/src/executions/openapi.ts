import { apiError, executionRecordSchema, type ApiRoute } from '@faas/common';
import { z } from 'zod';
import { asyncBody, listQuery, syncBody } from './routes.js';

const acceptedSchema = z
  .object({ executionId: z.uuid(), status: z.enum(['queued', 'running']), statusUrl: z.string().meta({ description: 'poll it with GET' }) })
  .meta({ id: 'Accepted', description: 'Queued: poll statusUrl until the record is final' });
const executionPage = z.object({ items: z.array(executionRecordSchema), nextCursor: z.string().nullable() }).meta({ id: 'ExecutionPage' });
const submitErrors = {
  404: apiError('no such function of yours, or no such input object of yours'),
  413: apiError('the argument is too large (MAX_ARGUMENT_BYTES)'),
  429: apiError('too many of your executions queued or running (MAX_CONCURRENT_PER_USER)'),
};

/** The /publisher routes (routes.ts), described with the schemas they parse their input with. */
export const publisherApiRoutes: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/publish',
    summary: 'Run a function and wait for its result',
    description: "200 with the final record, whatever the function did (check `status`); 202 when it outlasts the sync wait.",
    auth: true,
    body: syncBody,
    responses: { 200: executionRecordSchema, 202: acceptedSchema, ...submitErrors },
  },
  {
    method: 'post',
    path: '/executions',
    summary: 'Queue a function run (async); optional callbackUrl receives the final record',
    auth: true,
    body: asyncBody,
    responses: { 202: acceptedSchema, ...submitErrors },
  },
  {
    method: 'get',
    path: '/executions',
    summary: 'Your executions, newest first',
    description: 'A page reads at most 2000 records: with a rarely matching `function` it may hold fewer items than `limit`, even none. Follow `nextCursor` until it is null.',
    auth: true,
    query: listQuery,
    responses: { 200: executionPage },
  },
  { method: 'get', path: '/executions/:id', summary: 'One execution', auth: true, responses: { 200: executionRecordSchema, 404: apiError('no such execution of yours') } },
  {
    method: 'post',
    path: '/hooks/:token',
    summary: "Call a webhook trigger: queue its function with the request body as the argument",
    description: 'No token in Authorization: the path token is the credential (docs/triggers.md). Any content type; the raw body, read as UTF-8, is the argument.',
    params: { token: z.string().regex(/^[A-Za-z0-9_-]{43}$/).meta({ description: 'the token given when the webhook was created or rotated' }) },
    responses: {
      202: acceptedSchema,
      404: apiError('no webhook for this token (wrong, rotated, deleted or disabled)'),
      413: apiError('the body is larger than MAX_ARGUMENT_BYTES'),
      429: apiError("over the webhook's ratePerMinute, or the owner's MAX_CONCURRENT_PER_USER"),
    },
  },
];
