import { baseConfigFrom, baseEnvShape, envFields, jwtEnvShape, parseConfig, readSecretFile, tokenSettingsFrom, usernameSchema, type Env, type TokenSettings } from '@faas/common';
import { z } from 'zod';

const schema = z
  .object({
    PORT: envFields.port(8081),
    ...baseEnvShape,
    ...jwtEnvShape,
    BCRYPT_COST: envFields.int(4, 15).default(10),
    PASSWORD_MIN_LENGTH: envFields.int(1, 72).default(8),
    AUTH_BODY_LIMIT_BYTES: envFields.int(1_024, 1_048_576).default(16_384),
    ADMIN_USERNAME: usernameSchema.optional(),
    ADMIN_PASSWORD_FILE: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if ((env.ADMIN_USERNAME === undefined) !== (env.ADMIN_PASSWORD_FILE === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD_FILE'], message: 'ADMIN_USERNAME and ADMIN_PASSWORD_FILE go together' });
    }
  })
  .transform((env, ctx) => ({ ...env, ADMIN: adminFrom(env, ctx) }))
  .transform((env) => ({
    ...baseConfigFrom(env),
    token: tokenSettingsFrom(env) satisfies TokenSettings,
    bcryptCost: env.BCRYPT_COST,
    passwordMinLength: env.PASSWORD_MIN_LENGTH,
    bodyLimitBytes: env.AUTH_BODY_LIMIT_BYTES,
    admin: env.ADMIN,
  }));

/** The first admin's credentials; the password only from a file (a Docker secret). */
function adminFrom(
  env: { ADMIN_USERNAME?: string | undefined; ADMIN_PASSWORD_FILE?: string | undefined; PASSWORD_MIN_LENGTH: number },
  ctx: z.RefinementCtx,
): { username: string; password: string } | undefined {
  if (!env.ADMIN_USERNAME || !env.ADMIN_PASSWORD_FILE) return undefined;
  try {
    const password = readSecretFile(env.ADMIN_PASSWORD_FILE);
    if (password.length < env.PASSWORD_MIN_LENGTH || Buffer.byteLength(password) > 72) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD_FILE'], message: `the admin password must have ${env.PASSWORD_MIN_LENGTH} to 72 bytes` });
    }
    return { username: env.ADMIN_USERNAME, password };
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD_FILE'], message: `cannot read ${env.ADMIN_PASSWORD_FILE}: ${err instanceof Error ? err.message : String(err)}` });
    return undefined;
  }
}

export type AuthConfig = Readonly<z.output<typeof schema>>;

/** The only reader of the auth service's environment. */
export function loadAuthConfig(env: Env): AuthConfig {
  return parseConfig(schema, env);
}
