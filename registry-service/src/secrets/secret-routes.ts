import { MAX_SECRET_VALUE_BYTES, jsonBody, parseInput, requireUser, secretNameSchema, type TokenVerifier } from '@faas/common';
import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, ownerOf } from '../http/http-input.js';
import { createSecret, deleteSecret, getSecret, listSecrets, replaceSecret, type SecretDeps } from './secrets.js';

export interface SecretRouteDeps extends SecretDeps {
  readonly verifyToken: TokenVerifier;
}

/** Room for a 64 KiB value in JSON, escapes included; the value's own limit is checked after parsing. */
const BODY_LIMIT_BYTES = MAX_SECRET_VALUE_BYTES * 6 + 4_096;
const objectBody = { error: (issue: { code?: string }) => (issue.code === 'invalid_type' ? 'body must be a JSON object' : undefined) };
const value = z.string({ error: 'value must be a string' }).meta({ description: `at most ${MAX_SECRET_VALUE_BYTES} bytes; never returned` });
export const secretCreationSchema = z.strictObject({ name: secretNameSchema, value }, objectBody);
export const secretReplacementSchema = z.strictObject({ value }, objectBody);
const nameParam = z.object({ name: secretNameSchema });

/** `/secrets`: per-user secrets; responses carry names, versions and times, never a value. */
export function secretRoutes(deps: SecretRouteDeps): Router {
  const auth = requireUser(deps.verifyToken);
  const router = Router();
  router.use('/secrets', jsonBody(BODY_LIMIT_BYTES));
  router.post('/secrets', auth, async (req, res) => {
    const meta = await createSecret(deps, ownerOf(res), parseInput(secretCreationSchema, bodyOf(req.body)));
    res.status(201).location(`${req.baseUrl}/secrets/${meta.name}`).json(meta);
  });
  router.get('/secrets', auth, async (_req, res) => {
    res.json({ items: await listSecrets(deps, ownerOf(res)) });
  });
  router.get('/secrets/:name', auth, async (req, res) => {
    res.json(await getSecret(deps, ownerOf(res), parseInput(nameParam, req.params).name));
  });
  router.put('/secrets/:name', auth, async (req, res) => {
    const { name } = parseInput(nameParam, req.params);
    res.json(await replaceSecret(deps, ownerOf(res), name, parseInput(secretReplacementSchema, bodyOf(req.body)).value));
  });
  router.delete('/secrets/:name', auth, async (req, res) => {
    await deleteSecret(deps, ownerOf(res), parseInput(nameParam, req.params).name);
    res.status(204).end();
  });
  return router;
}
