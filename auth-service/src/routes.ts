import { jsonBody, parseInput, principalOf, requireUser, type TokenVerifier } from '@faas/common';
import { Router } from 'express';
import { authInput } from './auth-input.js';
import { currentUser, loginUser, registerUser, type UserDeps } from './users.js';

export interface AuthRouteDeps extends UserDeps {
  readonly verifyToken: TokenVerifier;
  readonly passwordMinLength: number;
  readonly bodyLimitBytes: number;
}

const body = (value: unknown): unknown => value ?? {};

export function authRoutes(deps: AuthRouteDeps): Router {
  const { registration, credentials } = authInput(deps.passwordMinLength);
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
