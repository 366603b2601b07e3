import express, { Router } from 'express';
import { callWebhook, type WebhookDeps } from './webhooks.js';

const statusUrl = (id: string): string => `/publisher/executions/${id}`;

/**
 * `POST /hooks/:token`: no JWT (the token is the credential). Any content type; the raw body,
 * as UTF-8, is the argument; a body past `maxBodyBytes` is a 413.
 */
export function webhookRoutes(deps: WebhookDeps & { readonly maxBodyBytes: number }): Router {
  const router = Router();
  router.post('/hooks/:token', express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const id = await callWebhook(deps, String(req.params.token), body, String(res.locals.requestId));
    res.status(202).location(statusUrl(id)).json({ executionId: id, status: 'queued', statusUrl: statusUrl(id) });
  });
  return router;
}
