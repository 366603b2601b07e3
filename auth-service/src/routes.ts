import { jsonBody, parseInput, principalOf, requireUser, usernameSchema, type TokenVerifier } from '@faas/common';
import { Router } from 'express';
import { clientAddress } from './client-address.js';
import type { LoginGuard } from './login-guard.js';
import { z } from 'zod';
import { guardedLogin } from './guarded-login.js';
import { currentUser, registerUser, type UserDeps } from './users.js';

export interface AuthRouteDeps extends UserDeps {
  readonly verifyToken: TokenVerifier;
  readonly passwordMinLength: number;
  readonly bodyLimitBytes: number;
  readonly guard: LoginGuard;
  /** Proxies in front whose X-Forwarded-For entry is believed (APISIX: 1). */
  readonly trustedProxyHops: number;
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
    const input = parseInput(registration, body(req.body));
    await deps.guard.beforeRegistration(clientAddress(req, deps.trustedProxyHops));
    const user = await registerUser(deps, input);
    res.status(201).json(user);
  });
  router.post('/login', async (req, res) => {
    const input = parseInput(credentials, body(req.body));
    const { token, expiresIn } = await guardedLogin(deps, input, clientAddress(req, deps.trustedProxyHops));
    res.json({ token, expiresIn, tokenType: 'Bearer' });
  });
  router.get('/validate', requireUser(deps.verifyToken), async (_req, res) => {
    res.json(await currentUser(deps, principalOf(res)));
  });
  return router;
}
