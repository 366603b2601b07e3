import { baseConfigFrom, baseEnvShape, envFields, jwtEnvShape, parseConfig, tokenSettingsFrom, type Env, type TokenSettings } from '@faas/common';
import { z } from 'zod';

const schema = z
  .object({
    PORT: envFields.port(8081),
    ...baseEnvShape,
    ...jwtEnvShape,
    BCRYPT_COST: envFields.int(4, 15).default(10),
    PASSWORD_MIN_LENGTH: envFields.int(1, 72).default(8),
    AUTH_BODY_LIMIT_BYTES: envFields.int(1_024, 1_048_576).default(16_384),
  })
  .transform((env) => ({
    ...baseConfigFrom(env),
    token: tokenSettingsFrom(env) satisfies TokenSettings,
    bcryptCost: env.BCRYPT_COST,
    passwordMinLength: env.PASSWORD_MIN_LENGTH,
    bodyLimitBytes: env.AUTH_BODY_LIMIT_BYTES,
  }));

export type AuthConfig = Readonly<z.output<typeof schema>>;

/** The only reader of the auth service's environment. */
export function loadAuthConfig(env: Env): AuthConfig {
  return parseConfig(schema, env);
}
