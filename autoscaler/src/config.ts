import { baseConfigFrom, baseEnvShape, envFields, parseConfig, type Env } from '@faas/common';
import { z } from 'zod';

const fraction = z.coerce.number().gt(0).max(10);

const schema = z
  .object({
    PORT: envFields.port(8086),
    ...baseEnvShape,
    DOCKER_SOCKET: z.string().min(1).default('/var/run/docker.sock'),
    /** The Swarm service it scales (the stack file passes `<stack>_spawner-service`). */
    AUTOSCALE_SERVICE: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'a Swarm service name').default('faas_spawner-service'),
    /** Resolves to every spawner task's address (Swarm's `tasks.<service>` DNS name). */
    SPAWNER_METRICS_HOST: z.string().min(1).default('tasks.spawner-service'),
    SPAWNER_METRICS_PORT: envFields.port(8084),
    SPAWNER_SCRAPE_TIMEOUT_MS: envFields.int(100, 60_000).default(2_000),
    /** Slots of one spawner when none answers with faas_spawner_slots (the spawners' MAX_CONTAINERS). */
    AUTOSCALE_SLOTS_PER_SPAWNER: envFields.int(1, 256).default(5),
    AUTOSCALE_MIN: envFields.int(1, 1_000).default(2),
    AUTOSCALE_MAX: envFields.int(1, 1_000).default(10),
    /** Utilisation (queued + running, over the slots of the current replicas) that triggers a change. */
    AUTOSCALE_UP_THRESHOLD: fraction.default(0.8),
    AUTOSCALE_DOWN_THRESHOLD: fraction.default(0.3),
    AUTOSCALE_INTERVAL_SECONDS: envFields.int(1, 3_600).default(15),
    AUTOSCALE_UP_COOLDOWN_SECONDS: envFields.int(0, 86_400).default(30),
    AUTOSCALE_DOWN_COOLDOWN_SECONDS: envFields.int(0, 86_400).default(180),
  })
  .refine((e) => e.AUTOSCALE_MIN <= e.AUTOSCALE_MAX, { message: 'AUTOSCALE_MIN exceeds AUTOSCALE_MAX', path: ['AUTOSCALE_MIN'] })
  .refine((e) => e.AUTOSCALE_DOWN_THRESHOLD < e.AUTOSCALE_UP_THRESHOLD, {
    message: 'AUTOSCALE_DOWN_THRESHOLD must be below AUTOSCALE_UP_THRESHOLD (the band between them stops flapping)',
    path: ['AUTOSCALE_DOWN_THRESHOLD'],
  })
  .transform((env) => ({
    ...baseConfigFrom(env),
    dockerSocket: env.DOCKER_SOCKET,
    service: env.AUTOSCALE_SERVICE,
    intervalMs: env.AUTOSCALE_INTERVAL_SECONDS * 1000,
    spawners: {
      host: env.SPAWNER_METRICS_HOST,
      port: env.SPAWNER_METRICS_PORT,
      timeoutMs: env.SPAWNER_SCRAPE_TIMEOUT_MS,
      defaultSlots: env.AUTOSCALE_SLOTS_PER_SPAWNER,
    },
    policy: {
      min: env.AUTOSCALE_MIN,
      max: env.AUTOSCALE_MAX,
      upThreshold: env.AUTOSCALE_UP_THRESHOLD,
      downThreshold: env.AUTOSCALE_DOWN_THRESHOLD,
      upCooldownMs: env.AUTOSCALE_UP_COOLDOWN_SECONDS * 1000,
      downCooldownMs: env.AUTOSCALE_DOWN_COOLDOWN_SECONDS * 1000,
    },
  }));

export type AutoscalerConfig = Readonly<z.output<typeof schema>>;

/** The only reader of the autoscaler's environment. */
export function loadAutoscalerConfig(env: Env): AutoscalerConfig {
  return parseConfig(schema, env);
}
