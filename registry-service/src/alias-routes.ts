import { functionNameSchema, jsonBody, parseInput, requireUser, type FunctionDefinition } from '@faas/common';
import { Router } from 'express';
import { z } from 'zod';
import { imageSchema, specShape } from './function-input.js';
import { deleteFunction, getFunction, listFunctions, registerFunction } from './functions.js';
import { bodyOf, nameFrom, ownerOf, pageBody, pageFrom } from './http-input.js';
import type { LimitPolicy } from './limits.js';
import type { RegistryRouteDeps } from './routes.js';

/** The original project called the image `payload`; alias responses carry both names. */
const withPayload = (definition: FunctionDefinition): FunctionDefinition & { payload: string } => ({ ...definition, payload: definition.image });

const ALIAS_PATHS = ['/register', '/list', '/retrieve', '/delete'];

/** The original project's registration body: `payload` is the image. */
export function aliasRegistrationSchema(policy: LimitPolicy) {
  const { image: _image, ...limits } = specShape(policy);
  return z.object({ name: functionNameSchema, payload: imageSchema, ...limits }, { error: 'body must be a JSON object' });
}

/**
 * The original project's routes, for its existing clients: same semantics as `/functions`.
 * Unknown body fields are ignored here (old clients send what they send); limits may be given.
 */
export function aliasRoutes(deps: RegistryRouteDeps): Router {
  const registration = aliasRegistrationSchema(deps.limits);
  const auth = requireUser(deps.verifyToken);
  const router = Router();
  router.use(ALIAS_PATHS, jsonBody(deps.bodyLimitBytes));

  router.post('/register', auth, async (req, res) => {
    const { payload, ...rest } = parseInput(registration, bodyOf(req.body));
    const definition = await registerFunction(deps, ownerOf(res), { ...rest, image: payload });
    res.status(201).json(withPayload(definition));
  });
  router.get('/list', auth, async (req, res) => {
    res.json(pageBody(await listFunctions(deps, ownerOf(res), pageFrom(req.query)), withPayload));
  });
  router.get('/retrieve', auth, async (req, res) => {
    res.json(withPayload(await getFunction(deps, ownerOf(res), nameFrom(req.query.name))));
  });
  router.delete('/delete', auth, async (req, res) => {
    const body = bodyOf(req.body);
    const fromBody = typeof body === 'object' && body !== null && 'name' in body ? body.name : undefined;
    await deleteFunction(deps, ownerOf(res), nameFrom(req.query.name ?? fromBody));
    res.status(204).end();
  });
  return router;
}
