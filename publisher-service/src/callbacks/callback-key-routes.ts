import { apiError, principalOf, requireUser, type ApiRoute, type TokenVerifier } from '@faas/common';
import { Router } from 'express';
import { z } from 'zod';
import type { CallbackKeys } from './callback-keys.js';
import { SIGNATURE_HEADER } from './callback-signing.js';

export interface CallbackKeyRouteDeps {
  readonly verifyToken: TokenVerifier;
  readonly callbackKeys: CallbackKeys;
}

const keyAnswer = (key: { key: string; createdAt: string }) => ({ ...key, header: SIGNATURE_HEADER, algorithm: 'HMAC-SHA256' });

/** The caller's callback signing key (docs/callbacks.md): read it, or replace it. */
export function callbackKeyRoutes(deps: CallbackKeyRouteDeps): Router {
  const router = Router();
  router.use('/callback-key', requireUser(deps.verifyToken));
  router.get('/callback-key', async (_req, res) => {
    res.set('cache-control', 'no-store').json(keyAnswer(await deps.callbackKeys.reveal(principalOf(res).id)));
  });
  router.post('/callback-key/rotate', async (_req, res) => {
    res.set('cache-control', 'no-store').json(keyAnswer(await deps.callbackKeys.rotate(principalOf(res).id)));
  });
  return router;
}

const callbackKeySchema = z
  .object({
    key: z.string().meta({ description: 'the HMAC key (its UTF-8 bytes); keep it as secret as a password' }),
    createdAt: z.string(),
    header: z.literal(SIGNATURE_HEADER),
    algorithm: z.literal('HMAC-SHA256'),
  })
  .meta({ id: 'CallbackKey', description: `callbacks carry ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` });
const noKeyring = { 503: apiError('SECRETS_KEY_FILE is not set: callbacks are not signed') };

export const callbackKeyApiRoutes: readonly ApiRoute[] = [
  { method: 'get', path: '/callback-key', summary: 'Your callback signing key (made on first use)', auth: true, responses: { 200: callbackKeySchema, ...noKeyring } },
  { method: 'post', path: '/callback-key/rotate', summary: 'Replace your callback signing key', auth: true, responses: { 200: callbackKeySchema, ...noKeyring } },
];
