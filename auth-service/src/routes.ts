import { clientAddress, jsonBody, parseInput, principalOf, requireUser, type TokenVerifier } from '@faas/common';
import { Router } from 'express';
import { authInput } from './auth-input.js';
import { guardedLogin } from './guarded-login.js';
import type { LoginGuard } from './login-guard.js';
import { currentUser, registerUser, type UserDeps } from './users.js';

export interface AuthRouteDeps extends UserDeps {
  readonly verifyToken: TokenVerifier;
  readonly passwordMinLength: number;
  readonly bodyLimitBytes: number;
  readonly guard: LoginGuard;
  /** Proxies in front whose X-Forwarded-For entry is believed (APISIX: 1). */
  readonly trustedProxyHops: number;
}

const body = (value: unknown): unknown => value ?? {};

export function authRoutes(deps: AuthRouteDeps): Router {
  const { registration, credentials } = authInput(deps.passwordMinLength);
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
