import { z } from 'zod';
import { EXECUTION_STATUSES, type ExecutionRecord } from '../execution-types.js';
import { FUNCTION_NAME_PATTERN, type FunctionDefinition } from '../schemas.js';

/**
 * The JSON bodies the services answer with, for the OpenAPI document. The TypeScript types the
 * code uses are checked against them at compile time (below), so they cannot drift apart.
 */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ examples: ['NOT_FOUND'] }),
      message: z.string(),
      requestId: z.string().optional(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every error: a stable code, a message for people, the request id' });

export const healthSchema = z.object({ status: z.literal('ok') }).meta({ description: 'the process is alive' });
export const readySchema = z.object({ status: z.literal('ready') }).meta({ description: 'NATS and the buckets answer' });
export const notReadySchema = z
  .object({ status: z.literal('not ready'), error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ description: 'a dependency is down' });

const timestamp = z.iso.datetime();

export const functionDefinitionSchema = z
  .object({
    id: z.uuid(),
    userId: z.string(),
    name: z.string().regex(FUNCTION_NAME_PATTERN),
    image: z.string(),
    description: z.string(),
    env: z.record(z.string(), z.string()),
    secrets: z.array(z.string()).readonly().optional().meta({ description: "names of the owner's secrets, given to each run as environment variables" }),
    timeoutSeconds: z.number().int(),
    memoryMb: z.number().int(),
    cpus: z.number(),
    network: z.enum(['none', 'bridge']),
    warm: z.boolean().optional(),
    runtime: z.enum(['exec', 'process']).optional().meta({ description: '"process": the process starts once per warm container and serves invocations over the Lambda Runtime API; absent: "exec"' }),
    http: z.boolean().optional().meta({ description: 'an HTTP function: it answers at /publisher/fn/<owner>/<name>/ (docs/http-functions.md)' }),
    public: z.boolean().optional().meta({ description: 'an HTTP function anyone may call without a token' }),
    owner: z.string().optional().meta({ description: "an HTTP function's owner's username, as the route names it" }),
    revision: z.number().int().min(1),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'FunctionDefinition', description: 'A function: a Docker image, its limits and environment' });

export const executionRecordSchema = z
  .object({
    id: z.uuid(),
    user: z.string(),
    function: z.string(),
    image: z.string(),
    status: z.enum(EXECUTION_STATUSES),
    result: z.string().nullable().meta({ description: "the function's stdout" }),
    logs: z.string().nullable().meta({ description: "the function's stderr" }),
    exitCode: z.number().int().nullable(),
    truncated: z.boolean(),
    durationMs: z.number().nullable().meta({ description: 'container run time' }),
    queuedAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    attempt: z.number().int().min(0),
    spawner: z.string().nullable(),
    error: z.string().optional().meta({ description: 'why the platform could not run it' }),
    inputs: z.array(z.string()).readonly().optional().meta({ description: 'the objects placed under /faas/in' }),
    outputs: z
      .object({
        files: z.array(z.object({ path: z.string(), name: z.string().meta({ description: 'download at /registry/objects/<name>' }), size: z.number().int() })).readonly(),
        truncated: z.boolean().meta({ description: 'past MAX_OUTPUT_FILES or MAX_OUTPUT_BYTES: files not stored' }),
        skipped: z.number().int().meta({ description: 'links, devices and bad names in /faas/out, not followed' }),
      })
      .optional()
      .meta({ description: 'what the function left in /faas/out (docs/objects.md)' }),
    callback: z
      .object({ status: z.enum(['delivered', 'retrying', 'failed']), attempts: z.number().int(), lastError: z.string().optional() })
      .optional()
      .meta({ description: 'the callback URL delivery: retrying (with the last error), then delivered, or failed after its last attempt' }),
    rerun: z
      .object({ previousSpawner: z.string(), reason: z.string() })
      .optional()
      .meta({ description: 'this attempt ran again because the spawner running it died (its lease lapsed)' }),
    traceId: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .optional()
      .meta({ description: "the W3C trace id of the request that queued it: the client's traceparent, or one the publisher started (docs/tracing.md)" }),
    trigger: z
      .object({
        id: z.string(),
        name: z.string(),
        kind: z.enum(['schedule', 'webhook', 'function-finished', 'object']),
        tick: timestamp.optional().meta({ description: 'schedule: the tick this execution is for' }),
        missed: z.boolean().optional().meta({ description: 'schedule: fired late, for ticks missed during downtime' }),
        sourceExecution: z.string().optional().meta({ description: 'function-finished: the execution whose end started this one; object: the one that wrote the output' }),
        depth: z.number().int().optional().meta({ description: 'function-finished, or object fired by an output: the length of the chain so far' }),
        object: z.string().optional().meta({ description: 'object: the name of the object that changed' }),
        event: z.string().optional().meta({ description: 'object: created or deleted' }),
      })
      .optional()
      .meta({ description: 'the trigger that started it (docs/triggers.md); absent when a client did' }),
    http: z
      .object({
        method: z.string(),
        path: z.string().meta({ description: "the path after the function's own prefix (the event's rawPath)" }),
        status: z.number().int().optional().meta({ description: 'once final: the status it answered (502 failed or malformed, 504 timed out)' }),
      })
      .optional()
      .meta({ description: 'the HTTP request that started it (docs/http-functions.md); absent otherwise' }),
  })
  .meta({ id: 'ExecutionRecord', description: 'One execution of a function' });

/** `true` only when A and B are the same type: a field added to one and not the other fails the build. */
export type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const _functionDefinitionMatches: SameType<z.output<typeof functionDefinitionSchema>, FunctionDefinition> = true;
const _executionRecordMatches: SameType<z.output<typeof executionRecordSchema>, ExecutionRecord> = true;
