import { apiError, EXECUTION_STATUSES, functionNameSchema, type ApiRoute } from '@faas/common';
import { z } from 'zod';
import { triggerCreationSchema, triggerReplacementSchema } from './trigger-input.js';

const triggerSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    name: functionNameSchema,
    kind: z.enum(['schedule', 'webhook', 'function-finished', 'object']),
    function: functionNameSchema,
    enabled: z.boolean(),
    cron: z.string().optional(),
    timeZone: z.string().optional(),
    missedTicks: z.enum(['fire-once', 'skip']).optional(),
    argument: z.string().optional(),
    nextTick: z.iso.datetime().optional().meta({ description: 'schedule: the next tick, when enabled' }),
    ratePerMinute: z.number().int().optional(),
    source: functionNameSchema.optional(),
    statuses: z.array(z.enum(EXECUTION_STATUSES)).optional(),
    events: z.array(z.enum(['created', 'deleted'])).optional().meta({ description: 'object: what fires it' }),
    prefix: z.string().optional().meta({ description: 'object: the names that fire it start with this' }),
    outputs: z.boolean().optional().meta({ description: 'object: whether execution outputs fire it too' }),
    revision: z.number().int().min(1),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Trigger', description: 'A trigger of yours; the fields of its kind are present' });
const withToken = triggerSchema
  .extend({
    token: z.string().optional().meta({ description: 'webhook: the token, shown only now (at creation or rotation)' }),
    url: z.string().optional().meta({ description: 'webhook: the path to POST to, relative to the platform' }),
  })
  .meta({ id: 'TriggerWithToken' });
const params = { name: functionNameSchema };
const missing = apiError('no such trigger of yours');
const badInput = apiError('invalid input: a bad cron expression or time zone, or a target that is not one of your functions');

/** `/triggers` (trigger-routes.ts). */
export const triggerApiRoutes: ApiRoute[] = [
  { method: 'post', path: '/triggers', summary: 'Create a trigger (schedule, webhook, function-finished or object)', auth: true, body: triggerCreationSchema, responses: { 201: withToken, 400: badInput, 409: apiError('the name is taken') } },
  { method: 'get', path: '/triggers', summary: 'Your triggers, by name', auth: true, responses: { 200: z.object({ items: z.array(triggerSchema) }).meta({ id: 'TriggerList' }) } },
  { method: 'get', path: '/triggers/:name', summary: 'One trigger', auth: true, params, responses: { 200: triggerSchema, 404: missing } },
  {
    method: 'put',
    path: '/triggers/:name',
    summary: 'Replace a trigger (same kind; a webhook keeps its token)',
    auth: true,
    params,
    body: triggerReplacementSchema,
    responses: { 200: triggerSchema, 400: badInput, 404: missing, 409: apiError('revision is not the current one') },
  },
  { method: 'delete', path: '/triggers/:name', summary: 'Delete a trigger', auth: true, params, responses: { 204: { description: 'deleted' }, 404: missing } },
  { method: 'post', path: '/triggers/:name/rotate-token', summary: "Give a webhook a new token (the old one answers 404 at once)", auth: true, params, responses: { 200: withToken, 400: apiError('not a webhook trigger'), 404: missing } },
];
