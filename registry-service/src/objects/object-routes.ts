import { ValidationError, objectNameFrom, objectNameProblem, parseInput, requireUser, type TokenVerifier } from '@faas/common';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ownerOf, pageQuery } from '../http/http-input.js';
import { deleteObject, findObject, listObjects, putObject, type ObjectDeps, type ObjectView } from './objects.js';

export interface ObjectRouteDeps extends ObjectDeps {
  readonly verifyToken: TokenVerifier;
}

const CONTENT_TYPE = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

export const objectListQuery = pageQuery.extend({
  prefix: z.string({ error: 'prefix must be a string' }).max(255).optional(),
});

/** The object name after `/objects/`, %-decoded (a `/` may be sent as is or as %2F). */
function nameOf(req: Request): string {
  const raw = req.path.slice('/objects/'.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new ValidationError('the object name has an invalid %-escape');
  }
  return objectNameFrom(decoded);
}

function contentTypeOf(req: Request): string {
  const given = req.get('content-type');
  if (given === undefined) return 'application/octet-stream';
  if (!CONTENT_TYPE.test(given)) throw new ValidationError('content-type must be printable ASCII of at most 255 characters');
  return given;
}

function declaredBytes(req: Request): number | undefined {
  const header = req.get('content-length');
  return header === undefined ? undefined : Number(header);
}

function pageOf(query: unknown): { limit: number; after?: string; prefix?: string } {
  const { limit, cursor, prefix } = parseInput(objectListQuery, query);
  const page = { limit, ...(prefix ? { prefix } : {}) };
  if (cursor === undefined || cursor === '') return page;
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (objectNameProblem(after) !== undefined) throw new ValidationError('cursor: not a cursor this registry issued');
  return { ...page, after };
}

/** The client took what was written, or went away. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Streams the content out as the client takes it; a fault midway cuts the connection (the length tells). */
async function send(res: Response, view: ObjectView, body: AsyncIterable<Uint8Array>): Promise<void> {
  // setHeader, not set(): Express would add a charset to the content-type as uploaded.
  res.status(200);
  res.setHeader('content-length', String(view.size));
  res.setHeader('content-type', view.contentType);
  res.setHeader('etag', `"${view.digest}"`);
  // The content is the user's, served as uploaded: never sniffed, never run as a page of this origin.
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-security-policy', 'sandbox');
  try {
    for await (const chunk of body) {
      if (!res.write(chunk)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  } catch (err) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

/** `/objects`: a user's files, streamed in and out of the JetStream Object Store. */
export function objectRoutes(deps: ObjectRouteDeps): Router {
  const auth = requireUser(deps.verifyToken);
  const router = Router();
  router.get('/objects', auth, async (req, res) => {
    const page = await listObjects(deps, ownerOf(res), pageOf(req.query));
    res.json({ items: page.items, nextCursor: page.last === null ? null : Buffer.from(page.last, 'utf8').toString('base64url') });
  });
  router.put('/objects/*name', auth, async (req, res) => {
    const upload = { name: nameOf(req), contentType: contentTypeOf(req), declaredBytes: declaredBytes(req), body: req };
    const view = await putObject(deps, ownerOf(res), upload);
    res.status(201).json(view);
  });
  router.get('/objects/*name', auth, async (req, res) => {
    const found = await findObject(deps, ownerOf(res), nameOf(req));
    await send(res, found.view, found.bucket.read(found.object));
  });
  router.delete('/objects/*name', auth, async (req, res) => {
    await deleteObject(deps, ownerOf(res), nameOf(req));
    res.status(204).end();
  });
  return router;
}
