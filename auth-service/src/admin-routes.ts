import { ForbiddenError, ValidationError, jsonBody, parseInput, principalOf, requireUser, usernameSchema, type TokenVerifier } from '@faas/common';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { changeUser, deleteUser, getUser, listUsers, logoutEverywhere, type AdminDeps } from './admin.js';

export interface AdminRouteDeps extends AdminDeps {
  readonly verifyToken: TokenVerifier;
  readonly bodyLimitBytes: number;
}

const MAX_PAGE_SIZE = 200;
export const adminPageQuery = z.object({
  limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z.string({ error: 'cursor must be a string' }).max(256).optional(),
});
export const userChangeSchema = z.strictObject(
  {
    disabled: z.boolean({ error: 'disabled must be true or false' }).optional(),
    maxConcurrent: z.number({ error: 'maxConcurrent must be a whole number or null' }).int('maxConcurrent must be a whole number').min(1).max(10_000).nullable().optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'body must be a JSON object' : undefined) },
);
const usernameParam = z.object({ username: usernameSchema });

const requireAdmin: RequestHandler = (_req, res, next) => {
  if (principalOf(res).role !== 'admin') throw new ForbiddenError('this endpoint is for admins');
  next();
};

function pageFrom(query: unknown): { limit: number; after?: string } {
  const { limit, cursor } = parseInput(adminPageQuery, query);
  if (!cursor) return { limit };
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z0-9_-]{3,32}$/.test(after)) throw new ValidationError('cursor: not a cursor this service issued');
  return { limit, after };
}

/** `/admin/users...` for admins, and `/logout-all` for everyone. */
export function adminRoutes(deps: AdminRouteDeps): Router {
  const auth = requireUser(deps.verifyToken);
  const router = Router();
  router.use(['/admin', '/logout-all'], jsonBody(deps.bodyLimitBytes));
  router.post('/logout-all', auth, async (_req, res) => {
    await logoutEverywhere(deps, principalOf(res));
    res.status(204).end();
  });
  router.use('/admin', auth, requireAdmin);
  router.get('/admin/users', async (req, res) => {
    const page = await listUsers(deps, pageFrom(req.query));
    res.json({ items: page.items, nextCursor: page.last === null ? null : Buffer.from(page.last).toString('base64url') });
  });
  router.get('/admin/users/:username', async (req, res) => {
    res.json(await getUser(deps, parseInput(usernameParam, req.params).username));
  });
  router.patch('/admin/users/:username', async (req, res) => {
    const { username } = parseInput(usernameParam, req.params);
    res.json(await changeUser(deps, username, parseInput(userChangeSchema, req.body ?? {})));
  });
  router.delete('/admin/users/:username', async (req, res) => {
    await deleteUser(deps, parseInput(usernameParam, req.params).username);
    res.status(204).end();
  });
  return router;
}
