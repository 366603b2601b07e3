import { jsonBody, parseInput, principalOf, requireUser, usernameSchema, type TokenVerifier } from '@faas/common';
import { Router } from 'express';
import { z } from 'zod';
import { currentUser, loginUser, registerUser, type UserDeps } from './users.js';

export interface AuthRouteDeps extends UserDeps {
  readonly verifyToken: TokenVerifier;
  readonly passwordMinLength: number;
  readonly bodyLimitBytes: number;
}

const BCRYPT_MAX_BYTES = 72;
const body = (value: unknown): unknown => value ?? {};

export function authRoutes(deps: AuthRouteDeps): Router {
  const password = z
    .string({ error: 'password must be a string' })
    .min(deps.passwordMinLength, `password must have at least ${deps.passwordMinLength} characters`)
    .refine((p) => Buffer.byteLength(p, 'utf8') <= BCRYPT_MAX_BYTES, `password must be at most ${BCRYPT_MAX_BYTES} bytes`);
  const registration = z.object({ username: usernameSchema, password }, { error: 'body must be a JSON object' });
  const credentials = z.object(
    {
      username: z.string({ error: 'username must be a string' }).min(1).max(256),
      password: z.string({ error: 'password must be a string' }).min(1).max(4096),
    },
    { error: 'body must be a JSON object' },
  );

  const router = Router();
  router.use(jsonBody(deps.bodyLimitBytes));
  router.post('/register', async (req, res) => {
    const user = await registerUser(deps, parseInput(registration, body(req.body)));
    res.status(201).json(user);
  });
  router.post('/login', async (req, res) => {
    const { token, expiresIn } = await loginUser(deps, parseInput(credentials, body(req.body)));
    res.json({ token, expiresIn, tokenType: 'Bearer' });
  });
  router.get('/validate', requireUser(deps.verifyToken), async (_req, res) => {
    res.json(await currentUser(deps, principalOf(res)));
  });
  return router;
}
