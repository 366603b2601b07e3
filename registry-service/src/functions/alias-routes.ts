import { functionNameSchema, jsonBody, parseInput, requireUser, type FunctionDefinition } from '@faas/common';
import { Router } from 'express';
import { z } from 'zod';
import { imageSchema, specShape } from './function-input.js';
import { deleteFunction, getFunction, listFunctions, registerFunction } from './functions.js';
import { bodyOf, nameFromQueryOrBody, ownerOf, pageBody, pageFrom } from '../http/http-input.js';
import type { LimitPolicy } from './limits.js';
import type { RegistryRouteDeps } from './routes.js';

/** The original project called the image `payload`; alias responses carry both names. */
const withPayload = (definition: FunctionDefinition): FunctionDefinition & { payload: string } => ({ ...definition, payload: definition.image });

const ALIAS_PATHS = ['/register', '/list', '/retrieve', '/delete'];

/** The original project's registration body: `payload` is the image. */
export function aliasRegistrationSchema(policy: LimitPolicy) {
  const { image: _image, ...limits } = specShape(policy);
  return z.object({ name: functionNameSchema, payload: imageSchema(policy), ...limits }, { error: 'body must be a JSON object' });
}

/**
 * The original project's routes, for its existing clients: same semantics as `/functions`.
 * Unknown body fields are ignored here (old clients send what they send); limits may be given.
 * `/retrieve` and `/delete` take the name from the query string or from a JSON body, even on
 * GET and DELETE: the original Postman collection sends it in the body.
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
    res.json(withPayload(await getFunction(deps, ownerOf(res), nameFromQueryOrBody(req.query, req.body))));
  });
  router.delete('/delete', auth, async (req, res) => {
    await deleteFunction(deps, ownerOf(res), nameFromQueryOrBody(req.query, req.body));
    res.status(204).end();
  });
  return router;
}
