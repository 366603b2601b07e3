import { createHash } from 'node:crypto';
import type { ContainerCreateOptions } from 'dockerode';
import type { ContainerJob } from '../../domain/ports.js';
import { LABELS, NO_COPY, containerSpec, type SandboxSettings } from '../container-spec.js';
import { isProcessMode, processEnv, processKeyPart } from './process-mode.js';
import { SUPERVISOR_DIR, SUPERVISOR_PATH } from './supervisor-volume.js';

export const WARM_LABELS = Object.freeze({ warm: 'faas.warm', key: 'faas.warm-key' });

/**
 * What a warm container may be reused for: the same user, function, revision, image, env and
 * limits (and sandbox user). Per-run env (secrets) is deliberately not part of it: it reaches
 * each run through the supervisor, never the container's environment. Process mode is the
 * exception: its process keeps the secrets it started with, so their HMAC is part of its key.
 */
export function warmKey(job: ContainerJob, sandbox: SandboxSettings): string {
  const env = Object.entries(job.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const identity = [job.userId, job.functionName, job.revision ?? null, job.image, env, job.limits, sandbox.user];
  if (isProcessMode(job)) identity.push(processKeyPart(job));
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

export interface WarmSpecInput {
  readonly job: ContainerJob;
  readonly key: string;
  /** The image's own entrypoint (empty: the argument is the command, as with `docker run`). */
  readonly entrypoint: readonly string[];
  /** The image's CMD: process mode starts the entrypoint with it, as `docker run IMAGE` would. */
  readonly cmd: readonly string[];
  /** The image's declared VOLUME paths (masked, as in the cold spec). */
  readonly volumes: readonly string[];
  readonly volume: string;
  /** The supervisor exits by itself after this long without a request (a backstop for a lost spawner). */
  readonly idleExitMs: number;
}

/**
 * The cold sandbox unchanged, with faas-supervisor as PID 1 in front of the image's entrypoint,
 * stdin open for requests (closed when the spawner's attach goes away, which ends the
 * supervisor), and the supervisor's volume read-only.
 */
export function warmSpec(input: WarmSpecInput, sandbox: SandboxSettings, spawnerId: string): ContainerCreateOptions {
  const { runEnv: _perRun, ...stable } = input.job;
  const base = containerSpec(stable, sandbox, spawnerId, input.volumes);
  const processMode = isProcessMode(input.job);
  return {
    ...base,
    Entrypoint: [SUPERVISOR_PATH, ...input.entrypoint, ...(processMode ? input.cmd : [])],
    Cmd: [],
    Env: [...(base.Env ?? []), `FAAS_SUPERVISOR_IDLE_MS=${input.idleExitMs}`, ...(processMode ? processEnv(input.job) : [])],
    Labels: { ...base.Labels, [LABELS.execution]: 'warm', [WARM_LABELS.warm]: 'true', [WARM_LABELS.key]: input.key.slice(0, 32) },
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    HostConfig: {
      ...base.HostConfig,
      Mounts: [...(base.HostConfig?.Mounts ?? []), { Type: 'volume', Source: input.volume, Target: SUPERVISOR_DIR, ReadOnly: true, VolumeOptions: NO_COPY }],
    },
  };
}
