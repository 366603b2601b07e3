import { createHmac, randomBytes } from 'node:crypto';
import type { ContainerJob } from '../../domain/ports.js';

/**
 * Process mode (`"runtime": "process"`): the supervisor starts the image's command once per warm
 * container and serves it the AWS Lambda Runtime API (supervisor/runtime-api.c). These are the
 * spawner's halves of that contract: what the event is, what the result is, what the process
 * finds in its environment, and which per-run values make a container a different one.
 */
export const isProcessMode = (job: Pick<ContainerJob, 'runtime'>): boolean => job.runtime === 'process';

/** The argument is the event: JSON as it is, any other string as a JSON string. */
export function eventOf(argument: string): string {
  try {
    JSON.parse(argument);
    return argument;
  } catch {
    return JSON.stringify(argument);
  }
}

/** The handler's return value as the runtime client posted it: a JSON string is the result as-is, anything else stays JSON. */
export function resultOf(body: string, truncated: boolean): string {
  if (truncated || !body.startsWith('"')) return body;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'string' ? value : body;
  } catch {
    return body;
  }
}

/** What Lambda's runtimes read from the environment at init, besides AWS_LAMBDA_RUNTIME_API (the supervisor's). */
export function processEnv(job: ContainerJob): string[] {
  return [
    'FAAS_SUPERVISOR_MODE=process',
    `AWS_LAMBDA_FUNCTION_NAME=${job.functionName}`,
    `AWS_LAMBDA_FUNCTION_VERSION=${job.revision ?? 1}`,
    `AWS_LAMBDA_FUNCTION_MEMORY_SIZE=${job.limits.memoryMb}`,
    // Lambda always sets these; aws-lambda-ric 4 refuses every invocation without them.
    `AWS_LAMBDA_LOG_GROUP_NAME=/faas/${job.functionName}`,
    `AWS_LAMBDA_LOG_STREAM_NAME=${job.functionName}-${job.revision ?? 1}`,
    // Output reaches the invocation's logs as it is written, not when a buffer fills.
    'PYTHONUNBUFFERED=1',
  ];
}

/** Per spawner process: a key part derived from secret values must not be guessable from a label. */
const KEY_SALT = randomBytes(32);

/**
 * The process keeps the environment it started with, so its secrets are part of the key: a
 * changed secret value starts a new container. Keyed by an HMAC, never by the values.
 */
export function processKeyPart(job: ContainerJob): string {
  const env = Object.entries(job.runEnv ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `process:${createHmac('sha256', KEY_SALT).update(JSON.stringify(env)).digest('hex')}`;
}
