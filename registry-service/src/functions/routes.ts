import { jsonBody, parseInput, principalOf, requireUser, ValidationError, type TokenVerifier } from '@faas/common';
import { Router } from 'express';
import { functionSchemas } from './function-input.js';
import { deleteFunction, getFunction, listFunctions, registerFunction, updateFunction, type FunctionDeps } from './functions.js';
import { bodyOf, nameFrom, ownerOf, pageBody, pageFrom } from '../http/http-input.js';
import type { LimitPolicy } from './limits.js';

export interface RegistryRouteDeps extends FunctionDeps {
  readonly verifyToken: TokenVerifier;
  readonly limits: LimitPolicy;
  readonly bodyLimitBytes: number;
}

/** `/functions`: the native CRUD API. */
export function functionRoutes(deps: RegistryRouteDeps): Router {
  const schemas = functionSchemas(deps.limits);
  const auth = requireUser(deps.verifyToken);
  const router = Router();
  router.use('/functions', jsonBody(deps.bodyLimitBytes));

  router.post('/functions', auth, async (req, res) => {
    const input = { ...parseInput(schemas.create, bodyOf(req.body)), owner: principalOf(res).username };
    const definition = await registerFunction(deps, ownerOf(res), input);
    res.status(201).location(`${req.baseUrl}/functions/${definition.name}`).json(definition);
  });
  router.get('/functions', auth, async (req, res) => {
    const page = await listFunctions(deps, ownerOf(res), pageFrom(req.query));
    res.json(pageBody(page, (item) => item));
  });
  router.get('/functions/:name', auth, async (req, res) => {
    res.json(await getFunction(deps, ownerOf(res), nameFrom(req.params.name)));
  });
  router.put('/functions/:name', auth, async (req, res) => {
    const name = nameFrom(req.params.name);
    const owner = ownerOf(res);
    const { revision, name: bodyName, owner: _readOnly, ...fields } = parseInput(schemas.replace, bodyOf(req.body));
    const spec = { ...fields, owner: principalOf(res).username };
    if (bodyName !== undefined && bodyName !== name) throw new ValidationError('name: a function cannot be renamed; the body name must match the path');
    res.json(await updateFunction(deps, owner, name, { spec, ...(revision === undefined ? {} : { expectedRevision: revision }) }));
  });
  router.delete('/functions/:name', auth, async (req, res) => {
    await deleteFunction(deps, ownerOf(res), nameFrom(req.params.name));
    res.status(204).end();
  });
  return router;
}
