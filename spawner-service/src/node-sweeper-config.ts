import { envFields, limitCeilingsEnvShape, parseConfig, type Env } from '@faas/common';
import { z } from 'zod';
import { labelPairsField, orphanEnvShape } from './orphan-env.js';

const schema = z
  .object({
    // /health and /ready only (no ingress), on the spawner's port: the image's healthcheck probes it.
    PORT: envFields.port(8084),
    LOG_LEVEL: envFields.logLevel,
    ...orphanEnvShape,
    // The spawners' ceiling: a cold container running longer than it (plus the grace) has no spawner.
    MAX_TIMEOUT_SECONDS: limitCeilingsEnvShape.MAX_TIMEOUT_SECONDS,
    // Only containers carrying every one of these labels: an engine shared by several platforms.
    SWEEP_LABELS: labelPairsField,
  })
  .transform((env) => ({
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    dockerSocket: env.DOCKER_SOCKET,
    sweepMs: env.ORPHAN_SWEEP_MS,
    labels: Object.entries(env.SWEEP_LABELS).map(([key, value]) => `${key}=${value}`),
    policy: {
      // Matches no spawner: the node sweeper never takes containers for its own previous run's.
      spawnerId: '',
      stoppedGraceMs: env.ORPHAN_GRACE_MS,
      runningMaxMs: env.MAX_TIMEOUT_SECONDS * 1000 + env.ORPHAN_GRACE_MS,
    },
  }));

export type NodeSweeperConfig = Readonly<z.output<typeof schema>>;

export function loadNodeSweeperConfig(env: Env): NodeSweeperConfig {
  return parseConfig(schema, env);
}
