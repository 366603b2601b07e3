import { cronProblem, EXECUTION_STATUSES, FINAL_STATUSES, functionNameSchema, timeZoneProblem } from '@faas/common';
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

const objectBody = { error: (issue: { code?: string }) => (issue.code === 'invalid_union' || issue.code === 'invalid_type' ? 'body must be a JSON object whose kind is schedule, webhook or function-finished' : undefined) };
export type TriggerSpec = z.output<typeof scheduleSpec> | z.output<typeof webhookSpec> | z.output<typeof functionFinishedSpec>;

const nameField = { name: functionNameSchema.meta({ description: 'the trigger name, unique among your triggers' }) };
const revisionField = { revision: z.number({ error: 'revision must be a number' }).int().min(1).optional() };

export const triggerCreationSchema = z
  .discriminatedUnion('kind', [scheduleSpec.extend(nameField), webhookSpec.extend(nameField), functionFinishedSpec.extend(nameField)], objectBody)
  .meta({ id: 'TriggerCreation' });
/** PUT: a full replacement; the name and the kind stay (a different kind is a new trigger). */
export const triggerReplacementSchema = z
  .discriminatedUnion('kind', [scheduleSpec.extend(revisionField), webhookSpec.extend(revisionField), functionFinishedSpec.extend(revisionField)], objectBody)
  .meta({ id: 'TriggerReplacement' });
