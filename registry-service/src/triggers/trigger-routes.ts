import { jsonBody, parseInput, requireUser, type TokenVerifier } from '@faas/common';
import { Router } from 'express';
import { bodyOf, nameFrom, ownerOf } from '../http/http-input.js';
import { triggerCreationSchema, triggerReplacementSchema } from './trigger-input.js';
import { createTrigger, deleteTrigger, getTrigger, listTriggers, rotateWebhookToken, updateTrigger, type TriggerDeps } from './triggers.js';

export interface TriggerRouteDeps extends TriggerDeps {
  readonly verifyToken: TokenVerifier;
}

/** A schedule's argument is its largest field: room for it in JSON, escapes included. */
const BODY_LIMIT_BYTES = 65_536 * 6 + 4_096;

/** `/triggers`: schedules, webhooks, function-finished chains and object triggers targeting the caller's functions. */
export function triggerRoutes(deps: TriggerRouteDeps): Router {
  const auth = requireUser(deps.verifyToken);
  const router = Router();
  router.use('/triggers', jsonBody(BODY_LIMIT_BYTES));
  router.post('/triggers', auth, async (req, res) => {
    const view = await createTrigger(deps, ownerOf(res), parseInput(triggerCreationSchema, bodyOf(req.body)));
    res.status(201).location(`${req.baseUrl}/triggers/${view.name}`).json(view);
  });
  router.get('/triggers', auth, async (_req, res) => {
    res.json({ items: await listTriggers(deps, ownerOf(res)) });
  });
  router.get('/triggers/:name', auth, async (req, res) => {
    res.json(await getTrigger(deps, ownerOf(res), nameFrom(req.params.name)));
  });
  router.put('/triggers/:name', auth, async (req, res) => {
    const { revision, ...spec } = parseInput(triggerReplacementSchema, bodyOf(req.body));
    const change = { spec, ...(revision === undefined ? {} : { expectedRevision: revision }) };
    res.json(await updateTrigger(deps, ownerOf(res), nameFrom(req.params.name), change));
  });
  router.delete('/triggers/:name', auth, async (req, res) => {
    await deleteTrigger(deps, ownerOf(res), nameFrom(req.params.name));
    res.status(204).end();
  });
  router.post('/triggers/:name/rotate-token', auth, async (req, res) => {
    res.json(await rotateWebhookToken(deps, ownerOf(res), nameFrom(req.params.name)));
  });
  return router;
}
