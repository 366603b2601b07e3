import { usernameSchema } from '@faas/common';
import { z } from 'zod';

const BCRYPT_MAX_BYTES = 72;

/** The bodies /auth parses; the OpenAPI document is generated from the same schemas. */
export function authInput(passwordMinLength: number) {
  const password = z
    .string({ error: 'password must be a string' })
    .min(passwordMinLength, `password must have at least ${passwordMinLength} characters`)
    .refine((p) => Buffer.byteLength(p, 'utf8') <= BCRYPT_MAX_BYTES, `password must be at most ${BCRYPT_MAX_BYTES} bytes`)
    .meta({ description: `${passwordMinLength} characters to ${BCRYPT_MAX_BYTES} bytes (bcrypt's limit)` });
  const registration = z.object({ username: usernameSchema, password }, { error: 'body must be a JSON object' });
  const credentials = z.object(
    {
      username: z.string({ error: 'username must be a string' }).min(1).max(256),
      password: z.string({ error: 'password must be a string' }).min(1).max(4096),
    },
    { error: 'body must be a JSON object' },
  );
  return { registration, credentials };
}
