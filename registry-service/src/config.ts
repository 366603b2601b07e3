import { baseConfigFrom, baseEnvShape, envFields, jwtEnvShape, limitCeilingsEnvShape, parseConfig, secretsKeyEnvShape, tokenSettingsFrom, type Env, type TokenSettings } from '@faas/common';
import { z } from 'zod';
import { limitPolicyFrom } from './functions/limits.js';

const schema = z
  .object({
    PORT: envFields.port(8082),
    ...baseEnvShape,
    ...jwtEnvShape,
    ...secretsKeyEnvShape,
    ...limitCeilingsEnvShape,
    MAX_ENV_BYTES: envFields.int(0, 262_144).default(16_384),
    ALLOW_NETWORK: envFields.bool.default(false),
    ALLOW_PRIVATE_REGISTRIES: envFields.bool.default(false),
    REGISTRY_BODY_LIMIT_BYTES: envFields.int(1_024, 1_048_576).default(65_536),
    MAX_OBJECT_BYTES: envFields.int(1, 2 ** 40).default(64 * 1024 * 1024),
    MAX_OBJECT_BYTES_PER_USER: envFields.int(1, 2 ** 50).default(1024 * 1024 * 1024),
    MAX_TRIGGERS_PER_USER: envFields.int(1, 100_000).default(100),
    MAX_SCHEDULES_PER_FUNCTION: envFields.int(1, 10_000).default(10),
    MAX_OBJECTS_PER_USER: envFields.int(1, 10_000_000).default(10_000),
    /** The uploads bucket's byte cap (max_bytes), well under the JetStream store (4 GB in the stack). */
    OBJECTS_MAX_BYTES: envFields.int(1024 * 1024, 2 ** 50).default(2 * 1024 * 1024 * 1024),
    /** The outputs bucket's byte cap (max_bytes). */
    OUTPUTS_MAX_BYTES: envFields.int(1024 * 1024, 2 ** 50).default(1024 * 1024 * 1024),
    /** The executions bucket's TTL (as the publisher's): outputs expire with their records. */
    EXECUTION_TTL_SECONDS: envFields.int(60, 365 * 86_400).default(7 * 86_400),
  })
  .transform((env) => ({
    ...baseConfigFrom(env),
    token: tokenSettingsFrom(env) satisfies TokenSettings,
    limits: limitPolicyFrom({
      maxTimeoutSeconds: env.MAX_TIMEOUT_SECONDS,
      maxMemoryMb: env.MAX_MEMORY_MB,
      maxCpus: env.MAX_CPUS,
      maxEnvBytes: env.MAX_ENV_BYTES,
      allowNetwork: env.ALLOW_NETWORK,
      allowPrivateRegistries: env.ALLOW_PRIVATE_REGISTRIES,
    }),
    bodyLimitBytes: env.REGISTRY_BODY_LIMIT_BYTES,
    triggerCaps: { perUser: env.MAX_TRIGGERS_PER_USER, schedulesPerFunction: env.MAX_SCHEDULES_PER_FUNCTION },
    keyring: env.SECRETS_KEY_FILE,
    objects: {
      maxObjectBytes: env.MAX_OBJECT_BYTES,
      maxBytesPerUser: env.MAX_OBJECT_BYTES_PER_USER,
      maxObjectsPerUser: env.MAX_OBJECTS_PER_USER,
      outputsTtlMs: env.EXECUTION_TTL_SECONDS * 1000,
      uploadsMaxBytes: env.OBJECTS_MAX_BYTES,
      outputsMaxBytes: env.OUTPUTS_MAX_BYTES,
    },
  }));

export type RegistryConfig = Readonly<z.output<typeof schema>>;

/** The only reader of the registry service's environment. */
export function loadRegistryConfig(env: Env): RegistryConfig {
  return parseConfig(schema, env);
}
