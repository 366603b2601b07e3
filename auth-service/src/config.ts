import { baseConfigFrom, baseEnvShape, envFields, jwtEnvShape, parseConfig, readSecretFile, tokenSettingsFrom, usernameSchema, type Env, type TokenSettings } from '@faas/common';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { LoginGuardSettings } from './login-guard.js';

const schema = z
  .object({
    PORT: envFields.port(8081),
    ...baseEnvShape,
    ...jwtEnvShape,
    BCRYPT_COST: envFields.int(4, 15).default(10),
    PASSWORD_MIN_LENGTH: envFields.int(1, 72).default(8),
    AUTH_BODY_LIMIT_BYTES: envFields.int(1_024, 1_048_576).default(16_384),
    BCRYPT_THREADS: envFields.int(1, 64).default(availableParallelism()),
    BCRYPT_NICE: envFields.int(0, 19).default(0),
    LOGIN_USER_FAILURES_BEFORE_BACKOFF: envFields.int(1, 1_000).default(5),
    LOGIN_ADDRESS_FAILURES_BEFORE_BACKOFF: envFields.int(1, 100_000).default(50),
    LOGIN_BACKOFF_BASE_MS: envFields.int(1, 60_000).default(1_000),
    LOGIN_BACKOFF_MAX_SECONDS: envFields.int(1, 3_600).default(300),
    LOGIN_FAILURE_WINDOW_SECONDS: envFields.int(1, 3_600).default(900),
    REGISTER_LIMIT_PER_ADDRESS: envFields.int(1, 1_000_000).default(30),
    REGISTER_LIMIT_WINDOW_SECONDS: envFields.int(1, 86_400).default(60),
    AUTH_TRUSTED_PROXY_HOPS: envFields.int(0, 10).default(0),
    AUTH_LIMIT_EXEMPT_ADDRESSES: z
      .string()
      // None by default: behind a local reverse proxy every client would be 127.0.0.1.
      .default('')
      .transform((v): ReadonlySet<string> => new Set(v.split(',').map((a) => a.trim()).filter(Boolean))),
    ADMIN_USERNAME: usernameSchema.optional(),
    ADMIN_PASSWORD_FILE: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if ((env.ADMIN_USERNAME === undefined) !== (env.ADMIN_PASSWORD_FILE === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD_FILE'], message: 'ADMIN_USERNAME and ADMIN_PASSWORD_FILE go together' });
    }
    // A block as long as the window outlives the count: the attacker would start the ramp afresh.
    if (env.LOGIN_BACKOFF_MAX_SECONDS >= env.LOGIN_FAILURE_WINDOW_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['LOGIN_BACKOFF_MAX_SECONDS'], message: `must be shorter than LOGIN_FAILURE_WINDOW_SECONDS (${env.LOGIN_FAILURE_WINDOW_SECONDS})` });
    }
  })
  .transform((env, ctx) => ({ ...env, ADMIN: adminFrom(env, ctx) }))
  .transform((env) => ({
    ...baseConfigFrom(env),
    token: tokenSettingsFrom(env) satisfies TokenSettings,
    bcryptCost: env.BCRYPT_COST,
    passwordMinLength: env.PASSWORD_MIN_LENGTH,
    bodyLimitBytes: env.AUTH_BODY_LIMIT_BYTES,
    bcryptThreads: env.BCRYPT_THREADS,
    bcryptNice: env.BCRYPT_NICE,
    trustedProxyHops: env.AUTH_TRUSTED_PROXY_HOPS,
    loginGuard: {
      userFailuresBeforeBackoff: env.LOGIN_USER_FAILURES_BEFORE_BACKOFF,
      addressFailuresBeforeBackoff: env.LOGIN_ADDRESS_FAILURES_BEFORE_BACKOFF,
      backoffBaseMs: env.LOGIN_BACKOFF_BASE_MS,
      backoffMaxMs: env.LOGIN_BACKOFF_MAX_SECONDS * 1000,
      failureWindowMs: env.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
      registrationsPerAddress: env.REGISTER_LIMIT_PER_ADDRESS,
      registrationWindowMs: env.REGISTER_LIMIT_WINDOW_SECONDS * 1000,
      exemptAddresses: env.AUTH_LIMIT_EXEMPT_ADDRESSES,
    } satisfies LoginGuardSettings,
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
