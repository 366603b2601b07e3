import { cronProblem, EXECUTION_STATUSES, FINAL_STATUSES, functionNameSchema, OBJECT_NAME_MAX_BYTES, OUTPUTS_PREFIX, timeZoneProblem } from '@faas/common';
import { z } from 'zod';

export const MAX_WEBHOOK_RATE_PER_MINUTE = 6_000;
export const MAX_SCHEDULE_ARGUMENT_BYTES = 65_536;

const finalStatuses = EXECUTION_STATUSES.filter((s) => FINAL_STATUSES.has(s)) as ['succeeded', 'failed', 'timed_out', 'error'];

const cron = z
  .string({ error: 'cron must be a string' })
  .max(256, 'cron must have at most 256 characters')
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `cron is not a five-field cron expression: ${problem}` });
  })
  .meta({ description: 'five fields: minute hour day-of-month month day-of-week', examples: ['*/5 * * * *', '0 9 * * 1-5'] });
const timeZone = z
  .string({ error: 'timeZone must be a string' })
  .max(64)
  .superRefine((value, ctx) => {
    const problem = timeZoneProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .default('UTC')
  .meta({ description: 'an IANA time zone name; default UTC', examples: ['UTC', 'Europe/Madrid'] });
const common = {
  function: functionNameSchema.meta({ description: 'the target: one of your functions' }),
  enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
};
const argument = z
  .string({ error: 'argument must be a string' })
  .refine((v) => Buffer.byteLength(v, 'utf8') <= MAX_SCHEDULE_ARGUMENT_BYTES, `argument must be at most ${MAX_SCHEDULE_ARGUMENT_BYTES} bytes`)
  .default('');

export const scheduleSpec = z.strictObject({
  kind: z.literal('schedule'),
  ...common,
  cron,
  timeZone,
  missedTicks: z.enum(['fire-once', 'skip'], { error: 'missedTicks must be fire-once or skip' }).default('skip')
    .meta({ description: 'after downtime: fire the missed ticks once, or skip them' }),
  argument: argument.meta({ description: 'the argument of every scheduled execution' }),
});
export const webhookSpec = z.strictObject({
  kind: z.literal('webhook'),
  ...common,
  ratePerMinute: z.number({ error: 'ratePerMinute must be a number' }).int().min(1).max(MAX_WEBHOOK_RATE_PER_MINUTE).default(60)
    .meta({ description: 'calls accepted per minute; more get 429' }),
});
export const functionFinishedSpec = z.strictObject({
  kind: z.literal('function-finished'),
  ...common,
  source: functionNameSchema.meta({ description: 'the function of yours whose end fires this trigger' }),
  statuses: z.array(z.enum(finalStatuses, { error: `statuses must be final statuses: ${finalStatuses.join(', ')}` })).min(1).max(4).default(['succeeded'])
    .meta({ description: 'the final statuses that fire it; default ["succeeded"]' }),
});

const prefix = z
  .string({ error: 'prefix must be a string' })
  .max(OBJECT_NAME_MAX_BYTES, `prefix must have at most ${OBJECT_NAME_MAX_BYTES} characters`)
  .regex(/^[A-Za-z0-9._/-]*$/, 'prefix is made of letters, digits, . _ - and /, as object names are')
  // Its whole segments are those of a name (no empty, . or ..): a prefix no name can start with is refused.
  .refine((p) => p.split('/').slice(0, -1).every((seg) => seg !== '' && seg !== '.' && seg !== '..'), 'prefix has no empty, . or .. segment, as object names have none')
  .default('')
  .meta({ description: 'only objects whose name starts with it fire; default: every object', examples: ['incoming/'] });
const objectFields = {
    kind: z.literal('object'),
    ...common,
    events: z.array(z.enum(['created', 'deleted'], { error: 'events must be created and/or deleted' })).min(1).max(2).default(['created'])
      .refine((e) => new Set(e).size === e.length, 'events must be distinct')
      .meta({ description: 'what fires it: an object stored (new or replaced), deleted, or both; default ["created"]' }),
    prefix,
    outputs: z.boolean({ error: 'outputs must be true or false' }).default(false)
      .meta({ description: `whether execution outputs (${OUTPUTS_PREFIX}<id>/…) fire it too; a chain of outputs stops at the chain depth limit` }),
};
/** A prefix under the outputs would never fire without `outputs`: refused rather than kept silent. */
const outputsPrefix = {
  check: (t: { outputs: boolean; prefix: string }): boolean => t.outputs || !t.prefix.startsWith(OUTPUTS_PREFIX),
  params: { path: ['prefix'], message: `prefix ${OUTPUTS_PREFIX}… names execution outputs: set outputs: true, or it never fires` },
};
export const objectSpec = z.strictObject(objectFields).refine(outputsPrefix.check, outputsPrefix.params);

const objectBody = { error: (issue: { code?: string }) => (issue.code === 'invalid_union' || issue.code === 'invalid_type' ? 'body must be a JSON object whose kind is schedule, webhook, function-finished or object' : undefined) };
export type TriggerSpec = z.output<typeof scheduleSpec> | z.output<typeof webhookSpec> | z.output<typeof functionFinishedSpec> | z.output<typeof objectSpec>;

const nameField = { name: functionNameSchema.meta({ description: 'the trigger name, unique among your triggers' }) };
const revisionField = { revision: z.number({ error: 'revision must be a number' }).int().min(1).optional() };

export const triggerCreationSchema = z
  .discriminatedUnion('kind', [scheduleSpec.extend(nameField), webhookSpec.extend(nameField), functionFinishedSpec.extend(nameField), z.strictObject({ ...objectFields, ...nameField }).refine(outputsPrefix.check, outputsPrefix.params)], objectBody)
  .meta({ id: 'TriggerCreation' });
/** PUT: a full replacement; the name and the kind stay (a different kind is a new trigger). */
export const triggerReplacementSchema = z
  .discriminatedUnion('kind', [scheduleSpec.extend(revisionField), webhookSpec.extend(revisionField), functionFinishedSpec.extend(revisionField), z.strictObject({ ...objectFields, ...revisionField }).refine(outputsPrefix.check, outputsPrefix.params)], objectBody)
  .meta({ id: 'TriggerReplacement' });
