import { FUNCTION_RUNTIMES, functionNameSchema, nonPublicRegistryProblem, secretNameSchema, type FunctionRuntime } from '@faas/common';
import { z } from 'zod';
import { imageReferenceProblem } from './image-ref.js';
import { FLOORS, envBytes, type LimitPolicy } from './limits.js';

export const ENV_KEY_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
export const MAX_DESCRIPTION_LENGTH = 1_024;

/** What a client may set on a function; everything else is the registry's. */
export interface FunctionSpec {
  readonly image: string;
  readonly description: string;
  readonly env: Readonly<Record<string, string>>;
  /** Names of the owner's secrets, given to each run as environment variables. */
  readonly secrets: readonly string[];
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly cpus: number;
  readonly network: 'none' | 'bridge';
  /** false: a fresh container for every run; absent: the operator's default (WARM_DEFAULT). */
  readonly warm?: boolean;
  /** "process": started once per warm container, invoked over the Lambda Runtime API; absent: "exec". */
  readonly runtime?: FunctionRuntime;
  /** Reachable over HTTP at /publisher/fn/<owner>/<name>/; `public`: without a token. */
  readonly http?: boolean;
  readonly public?: boolean;
  /** The caller's username, for an HTTP function's route (never the client's to set). */
  readonly owner?: string;
}

/** A valid reference whose registry host is public, unless the operator allows private ones. */
export const imageSchema = (policy: Pick<LimitPolicy, 'allowPrivateRegistries'>) => z
  .string({ error: 'image must be a string' })
  .superRefine((ref, ctx) => {
    const problem = imageReferenceProblem(ref);
    if (problem) ctx.addIssue({ code: 'custom', message: `image is not a valid Docker image reference: ${problem}` });
    const host = problem || policy.allowPrivateRegistries ? undefined : nonPublicRegistryProblem(ref);
    if (host) ctx.addIssue({ code: 'custom', message: `image is refused: ${host} (ALLOW_PRIVATE_REGISTRIES=false)` });
  })
  .meta({ description: 'a Docker image reference: [host[:port]/]path[:tag][@sha256:…], lowercase path', maxLength: 255, examples: ['faas-example/wordcount:latest'] });

export const descriptionSchema = z
  .string({ error: 'description must be a string' })
  .max(MAX_DESCRIPTION_LENGTH, `description must have at most ${MAX_DESCRIPTION_LENGTH} characters`);

/** Keys are checked before anything is copied, so `__proto__` never reaches an object. */
function envSchema(maxEnvBytes: number) {
  return z
    .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'env must be an object of strings')
    .superRefine((raw, ctx) => {
      for (const [key, value] of Object.entries(raw)) {
        if (!ENV_KEY_PATTERN.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `env key must match ${ENV_KEY_PATTERN.source}` });
        else if (typeof value !== 'string') ctx.addIssue({ code: 'custom', path: [key], message: 'env value must be a string' });
        else if (value.includes('\0')) ctx.addIssue({ code: 'custom', path: [key], message: 'env value must not contain NUL' });
      }
    })
    .transform((raw) => Object.fromEntries(Object.entries(raw)) as Record<string, string>)
    .superRefine((env, ctx) => {
      const bytes = envBytes(env);
      if (bytes > maxEnvBytes) {
        ctx.addIssue({ code: 'custom', message: `env takes ${bytes} bytes; the limit is ${maxEnvBytes} (MAX_ENV_BYTES)` });
      }
    })
    .meta({
      type: 'object',
      propertyNames: { pattern: ENV_KEY_PATTERN.source },
      additionalProperties: { type: 'string' },
      description: `environment of every run; at most ${maxEnvBytes} bytes (MAX_ENV_BYTES)`,
    });
}

export const MAX_FUNCTION_SECRETS = 64;

const secretsSchema = z
  .array(secretNameSchema, { error: 'secrets must be an array of secret names' })
  .max(MAX_FUNCTION_SECRETS, `a function may use at most ${MAX_FUNCTION_SECRETS} secrets`)
  .refine((names) => new Set(names).size === names.length, 'secrets must not name a secret twice');

const atMost = (field: string, max: number, ceiling: string) => `${field} must be at most ${max} (${ceiling})`;

/** The client-settable fields, checked against the operator's ceilings; messages name the ceiling. */
export function specShape(policy: LimitPolicy) {
  return {
    image: imageSchema(policy),
    description: descriptionSchema.default(''),
    env: envSchema(policy.maxEnvBytes).default({}),
    secrets: secretsSchema.default([]),
    timeoutSeconds: z
      .number({ error: 'timeoutSeconds must be a whole number of seconds' })
      .int('timeoutSeconds must be a whole number of seconds')
      .min(FLOORS.timeoutSeconds, `timeoutSeconds must be at least ${FLOORS.timeoutSeconds}`)
      .max(policy.maxTimeoutSeconds, atMost('timeoutSeconds', policy.maxTimeoutSeconds, 'MAX_TIMEOUT_SECONDS'))
      .default(policy.defaults.timeoutSeconds),
    memoryMb: z
      .number({ error: 'memoryMb must be a whole number of MiB' })
      .int('memoryMb must be a whole number of MiB')
      .min(FLOORS.memoryMb, `memoryMb must be at least ${FLOORS.memoryMb}`)
      .max(policy.maxMemoryMb, atMost('memoryMb', policy.maxMemoryMb, 'MAX_MEMORY_MB'))
      .default(policy.defaults.memoryMb),
    cpus: z
      .number({ error: 'cpus must be a number' })
      .min(FLOORS.cpus, `cpus must be at least ${FLOORS.cpus}`)
      .max(policy.maxCpus, atMost('cpus', policy.maxCpus, 'MAX_CPUS'))
      .default(policy.defaults.cpus),
    network: z
      .enum(['none', 'bridge'], { error: 'network must be "none" or "bridge"' })
      .refine((n) => n === 'none' || policy.allowNetwork, 'network "bridge" is not allowed by the operator (ALLOW_NETWORK=false)')
      .default('none'),
    warm: z
      .boolean({ error: 'warm must be true or false' })
      .optional()
      .meta({ description: "false: a fresh container for every run; absent: the operator's default (WARM_DEFAULT)" }),
    runtime: z
      .enum(FUNCTION_RUNTIMES, { error: 'runtime must be "exec" or "process"' })
      .optional()
      .meta({ description: '"process": the image\'s process starts once per warm container and serves invocations over the AWS Lambda Runtime API; absent: "exec", the image runs once per execution' }),
    http: z
      .boolean({ error: 'http must be true or false' })
      .optional()
      .meta({ description: 'true: the function answers HTTP requests at /publisher/fn/<username>/<name>/ (docs/http-functions.md)' }),
    public: z
      .boolean({ error: 'public must be true or false' })
      .optional()
      .meta({ description: 'with http: anyone may call it without a token, rate-limited per client address; absent or false: only its owner, with a token' }),
  };
}

/** A non-object body gets one plain message; other object-level issues (unknown keys) keep zod's. */
export const objectBody = {
  error: (issue: { code?: string }) => (issue.code === 'invalid_type' ? 'body must be a JSON object' : undefined),
};

/** Schemas for the native API: unknown fields are refused, so a typo never passes silently. */
export function functionSchemas(policy: LimitPolicy) {
  const shape = specShape(policy);
  const create = z.strictObject({ name: functionNameSchema, ...shape }, objectBody);
  // A full replacement; the read-only fields of a GET are accepted and ignored, so GET-edit-PUT works.
  const replace = z.strictObject(
    {
      ...shape,
      name: functionNameSchema.optional(),
      revision: z.number({ error: 'revision must be a whole number' }).int().min(1).optional(),
      id: z.unknown().optional(),
      userId: z.unknown().optional(),
      createdAt: z.unknown().optional(),
      updatedAt: z.unknown().optional(),
      owner: z.unknown().optional(),
    },
    objectBody,
  );
  return { create, replace };
}
