import { z } from 'zod';
import { envFields, readSecretFile, secretFromFile } from './config.js';
import { parseSecretKeyring, type SecretKeyring } from './secret-box.js';

const intFrom = envFields.int;

/** HS256 keys shorter than its 256-bit hash are guessable offline from one token (RFC 7518 3.2). */
export const MIN_JWT_SECRET_BYTES = 32;

function jwtSecretFromFile(path: string, ctx: z.RefinementCtx): string {
  const secret = secretFromFile(path, ctx);
  if (typeof secret === 'string' && Buffer.byteLength(secret, 'utf8') < MIN_JWT_SECRET_BYTES) {
    ctx.addIssue({
      code: 'custom',
      message: `the JWT secret in ${path} is ${Buffer.byteLength(secret, 'utf8')} bytes; at least ${MIN_JWT_SECRET_BYTES} are required (e.g. openssl rand -hex 32)`,
    });
    return z.NEVER;
  }
  return secret;
}

/** Env every token-verifying service reads; the secret comes only from a file. */
export const jwtEnvShape = {
  JWT_SECRET_FILE: z.string({ error: 'required: path to the JWT secret file' }).min(1).transform(jwtSecretFromFile),
  JWT_ISSUER: z.string().min(1).default('faas-auth'),
  JWT_AUDIENCE: z.string().min(1).default('faas'),
  JWT_TTL_SECONDS: intFrom(60, 30 * 86_400).default(3_600),
  JWT_CONSUMER_KEY: z.string().min(1).default('faas-users'),
  /** Requests per user and window, over every token of the user and every service; 0: no limit. */
  USER_RATE_LIMIT_COUNT: intFrom(0, 1_000_000_000).default(0),
  USER_RATE_LIMIT_WINDOW_SECONDS: intFrom(1, 3_600).default(60),
};

/**
 * Where secrets are sealed and opened (registry and spawner). Optional: without it the
 * secrets API answers 503 and functions that declare secrets end as `error`.
 */
export const secretsKeyEnvShape = {
  SECRETS_KEY_FILE: z
    .string()
    .min(1)
    .optional()
    .transform((path, ctx): SecretKeyring | undefined => {
      if (path === undefined) return undefined;
      try {
        return parseSecretKeyring(readSecretFile(path));
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `cannot read secrets key file ${path}: ${err instanceof Error ? err.message : String(err)}` });
        return z.NEVER;
      }
    }),
};

export function tokenSettingsFrom(env: {
  JWT_SECRET_FILE: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  JWT_TTL_SECONDS: number;
  JWT_CONSUMER_KEY: string;
  USER_RATE_LIMIT_COUNT: number;
  USER_RATE_LIMIT_WINDOW_SECONDS: number;
}): {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  consumerKey: string;
  userRateLimit: { count: number; windowSeconds: number };
} {
  return {
    secret: env.JWT_SECRET_FILE,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    ttlSeconds: env.JWT_TTL_SECONDS,
    consumerKey: env.JWT_CONSUMER_KEY,
    userRateLimit: { count: env.USER_RATE_LIMIT_COUNT, windowSeconds: env.USER_RATE_LIMIT_WINDOW_SECONDS },
  };
}
