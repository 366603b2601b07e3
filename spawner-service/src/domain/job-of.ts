import type { IncomingExecution } from './execution-request.js';
import { InputError, jobFiles, wantsFiles, type FileLimits } from './job-files.js';
import type { ContainerJob, JobFiles, ObjectFiles, ResolvedLimits, SecretResolver } from './ports.js';

/** The run's secrets; their values go to the runner only, never into a record or a log line. */
export async function secretsFor(ports: { readonly secrets?: SecretResolver | undefined }, request: IncomingExecution): Promise<Readonly<Record<string, string>> | undefined> {
  if (request.secrets.length === 0) return undefined;
  if (!ports.secrets) throw new Error('this function uses secrets, but the spawner has no SECRETS_KEY_FILE');
  return ports.secrets.resolve(request.userId, request.secrets);
}

/** Checked before any container exists: a missing input ends the execution here. */
export async function filesOf(ports: { readonly files?: { readonly objects: ObjectFiles; readonly limits: FileLimits } | undefined }, request: IncomingExecution): Promise<JobFiles | undefined> {
  if (!wantsFiles(request)) return undefined;
  if (!ports.files) throw new InputError('this spawner has no object store: executions with inputs or outputs cannot run');
  return jobFiles(ports.files.objects, ports.files.limits, request);
}

export function jobFor(
  request: IncomingExecution,
  limits: ResolvedLimits,
  runEnv: Readonly<Record<string, string>> | undefined,
  files: JobFiles | undefined,
): ContainerJob {
  return {
    executionId: request.id,
    userId: request.userId,
    functionName: request.function,
    image: request.image,
    argument: request.argument,
    env: request.env,
    limits,
    ...(runEnv ? { runEnv } : {}),
    ...(request.revision !== undefined ? { revision: request.revision } : {}),
    ...(request.warm !== undefined ? { warm: request.warm } : {}),
    ...(request.runtime !== undefined ? { runtime: request.runtime } : {}),
    ...(files ? { files } : {}),
  };
}
