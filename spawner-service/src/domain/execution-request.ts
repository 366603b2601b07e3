import { FUNCTION_RUNTIMES, SECRET_NAME_PATTERN, ValidationError, objectNameProblem } from '@faas/common';
import { z } from 'zod';

const limitsSchema = z
  .object({
    timeoutSeconds: z.number().positive(),
    memoryMb: z.number().positive(),
    cpus: z.number().positive(),
    network: z.enum(['none', 'bridge']),
  })
  .partial();

/** More than the publisher lets through (MAX_INPUTS there): a message past it is malformed. */
const MAX_INPUTS = 256;

/** The message on stream EXECUTIONS, as a spawner accepts it (limits may be partial). */
const requestSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  userId: z.string().min(1).max(128),
  function: z.string().min(1).max(128),
  image: z.string().min(1).max(512),
  argument: z.string(),
  env: z.record(z.string(), z.string()).default({}),
  limits: limitsSchema.default({}),
  /** Names of the owner's secrets: resolved for the run, never carried here as values. */
  secrets: z.array(z.string().regex(SECRET_NAME_PATTERN)).max(64).default([]),
  queuedAt: z.string().min(1).optional(),
  revision: z.number().int().nonnegative().optional(),
  /** Set from the stored definition (authoritativeRequest), whatever a message says. */
  definitionId: z.string().max(256).optional(),
  warm: z.boolean().optional(),
  runtime: z.enum(FUNCTION_RUNTIMES).optional(),
  inputs: z
    .array(z.string().refine((name) => objectNameProblem(name) === undefined, 'not an object name'))
    .max(MAX_INPUTS)
    .optional(),
  outputs: z.boolean().optional(),
  /** The queued record's own fields, for a record this spawner writes first (records.ts). */
  traceId: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  http: z.object({ method: z.string().min(1).max(16), path: z.string().max(8_192) }).strict().optional(),
});

export type IncomingExecution = z.output<typeof requestSchema>;

/** Parses a stream message; a ValidationError means the message can never be run. */
export function parseExecutionRequest(data: Uint8Array): IncomingExecution {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    throw new ValidationError('execution request is not JSON', { cause: err });
  }
  const result = requestSchema.safeParse(json);
  if (!result.success) {
    throw new ValidationError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return result.data;
}
