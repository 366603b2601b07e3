import { baseConfigFrom, baseEnvShape, envFields, jwtEnvShape, parseConfig, secretsKeyEnvShape, tokenSettingsFrom, tracingEnvShape, tracingSettingsFrom, type Env } from '@faas/common';
import { z } from 'zod';

const schema = z
  .object({
    PORT: envFields.port(8083),
    ...baseEnvShape,
    ...jwtEnvShape,
    // Seals each user's callback signing key (docs/callbacks.md); without it callbacks go unsigned.
    ...secretsKeyEnvShape,
    ...tracingEnvShape,
    REGISTRY_URL: z.url().default('http://registry-service:8082'),
    REGISTRY_TIMEOUT_MS: envFields.int(100, 60_000).default(5_000),
    MAX_CONCURRENT_PER_USER: envFields.int(1, 10_000).default(10),
    QUOTA_HOLD_MAX_SECONDS: envFields.int(60, 7 * 86_400).default(3_600),
    MAX_ARGUMENT_BYTES: envFields.int(1, 16 * 1_048_576).default(65_536),
    SYNC_WAIT_MARGIN_MS: envFields.int(0, 600_000).default(5_000),
    MAX_SYNC_WAIT_SECONDS: envFields.int(1, 3_600).default(300),
    EXECUTION_TTL_SECONDS: envFields.int(60, 365 * 86_400).default(7 * 86_400),
    CALLBACK_ALLOW_PRIVATE: envFields.bool.default(false),
    CALLBACK_MAX_ATTEMPTS: envFields.int(1, 20).default(5),
    CALLBACK_TIMEOUT_MS: envFields.int(100, 60_000).default(5_000),
    CALLBACK_BACKOFF_MS: envFields.int(1, 60_000).default(500),
    TRIGGER_SCHEDULER: envFields.bool.default(true),
    TRIGGER_CHECK_MS: envFields.int(50, 60_000).default(1_000),
    TRIGGER_LATE_AFTER_SECONDS: envFields.int(1, 86_400).default(60),
    TRIGGER_MAX_CHAIN_DEPTH: envFields.int(1, 100).default(5),
    // Public HTTP functions (and calls the function watch cannot place): calls per client address per minute; 0: no limit.
    HTTP_FUNCTION_RATE_PER_MINUTE: envFields.int(0, 1_000_000).default(600),
    PUBLISHER_TRUSTED_PROXY_HOPS: envFields.int(0, 10).default(0),
  })
  .transform((env) => ({
    ...baseConfigFrom(env),
    token: tokenSettingsFrom(env),
    keyring: env.SECRETS_KEY_FILE,
    tracing: tracingSettingsFrom(env, 'publisher-service'),
    registry: { baseUrl: env.REGISTRY_URL.replace(/\/+$/, ''), timeoutMs: env.REGISTRY_TIMEOUT_MS },
    quota: { maxConcurrent: env.MAX_CONCURRENT_PER_USER, holdMaxMs: env.QUOTA_HOLD_MAX_SECONDS * 1000 },
    maxArgumentBytes: env.MAX_ARGUMENT_BYTES,
    syncWait: { marginMs: env.SYNC_WAIT_MARGIN_MS, maxMs: env.MAX_SYNC_WAIT_SECONDS * 1000 },
    executionTtlMs: env.EXECUTION_TTL_SECONDS * 1000,
    httpFunctions: { ratePerMinute: env.HTTP_FUNCTION_RATE_PER_MINUTE, trustedProxyHops: env.PUBLISHER_TRUSTED_PROXY_HOPS },
    triggers: {
      scheduler: env.TRIGGER_SCHEDULER,
      checkMs: env.TRIGGER_CHECK_MS,
      lateAfterMs: env.TRIGGER_LATE_AFTER_SECONDS * 1000,
      maxChainDepth: env.TRIGGER_MAX_CHAIN_DEPTH,
    },
    callbacks: {
      allowPrivate: env.CALLBACK_ALLOW_PRIVATE,
      maxAttempts: env.CALLBACK_MAX_ATTEMPTS,
      timeoutMs: env.CALLBACK_TIMEOUT_MS,
      backoffMs: env.CALLBACK_BACKOFF_MS,
    },
  }));

export type PublisherConfig = Readonly<z.output<typeof schema>>;

/** The only reader of the publisher's environment. */
export function loadPublisherConfig(env: Env): PublisherConfig {
  return parseConfig(schema, env);
}
