import { AppError, clientAddress, FUNCTION_NAME_PATTERN, HTTP_FUNCTION_METHODS, httpOutcomeOf, NotFoundError, USERNAME_PATTERN, type Logger } from '@faas/common';
import express, { Router, type Request, type Response } from 'express';
import { sendOutcome, sendStillRunning } from './http-answer.js';
import { resolveHttpCall, submitHttpCall, type HttpCallDeps } from './http-calls.js';

export interface HttpRouteDeps extends HttpCallDeps {
  readonly syncWait: { readonly marginMs: number; readonly maxMs: number };
  readonly syncWaitsEnd?: AbortSignal;
  /** X-Forwarded-For entries added by proxies we trust (1 behind APISIX): which one is the client. */
  readonly trustedProxyHops: number;
  readonly logger: Logger;
}

export const httpFunctionPath = (owner: string, name: string): string => `/publisher/fn/${owner}/${name}/`;

/** `/<owner>/<function>[/<path…>][?query]` (what is left of the URL under `/fn`), or undefined. */
function routeOf(url: string): { owner: string; name: string; rawPath: string; rawQueryString: string } | undefined {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const [, owner = '', name = '', ...rest] = path.split('/');
  if (!USERNAME_PATTERN.test(owner) || !FUNCTION_NAME_PATTERN.test(name)) return undefined;
  return { owner, name, rawPath: `/${rest.join('/')}`, rawQueryString: query === -1 ? '' : url.slice(query + 1) };
}

function readBody(req: Request, res: Response, limit: number): Promise<Buffer> {
  const parse = express.raw({ type: () => true, limit });
  return new Promise((resolve, reject) => {
    parse(req, res, (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0))));
  });
}

/** Aborts when the client leaves before its answer: the execution goes on, nobody waits for it. */
function untilGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => !res.writableEnded && gone.abort());
  return gone.signal;
}

/** The route's paths (Express 5): the function's root, and anything under it. */
export const HTTP_FUNCTION_PATHS = ['/fn/:owner/:function', '/fn/:owner/:function/*path'] as const;

/** `/fn/<username>/<function>/<path…>`, every method of HTTP_FUNCTION_METHODS (HEAD with GET): HTTP functions (docs/http-functions.md). No JWT needed to reach it: a private function checks its own. */
export function httpFunctionRoutes(deps: HttpRouteDeps): Router {
  const router = Router();
  const handle = async (req: Request, res: Response): Promise<void> => {
    // The raw URL, not Express's decoded params: the function gets the path as it was sent.
    const route = routeOf(req.url.slice('/fn'.length));
    if (!route) throw new NotFoundError('no HTTP function at this path: /publisher/fn/<username>/<function>/<path…>');
    const address = clientAddress(req, deps.trustedProxyHops);
    const target = await resolveHttpCall(deps, { owner: route.owner, name: route.name, address, authorization: req.get('authorization') });
    const body = await readBody(req, res, deps.maxArgumentBytes);
    const gone = untilGone(res);
    const headers = Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [k, v ?? []]));
    const call = { method: req.method, rawPath: route.rawPath, rawQueryString: route.rawQueryString, headers, body, sourceIp: address, requestId: String(res.locals.requestId) };
    const { record, result } = await submitHttpCall(deps, target, call);
    const waitMs = Math.min(target.fn.timeoutSeconds * 1000 + deps.syncWait.marginMs, deps.syncWait.maxMs);
    const final = await result(waitMs, deps.syncWaitsEnd ? AbortSignal.any([deps.syncWaitsEnd, gone]) : gone);
    if (gone.aborted) return void deps.logger.info({ executionId: record.id }, 'HTTP caller gone: the execution goes on');
    res.set('x-faas-execution-id', record.id);
    if (!final) return sendStillRunning(res, record.id, waitMs);
    sendOutcome(res, httpOutcomeOf(final, httpFunctionPath(route.owner, route.name)), record.id);
  };
  const paths = [...HTTP_FUNCTION_PATHS];
  router.get(paths, handle);
  router.post(paths, handle);
  router.put(paths, handle);
  router.patch(paths, handle);
  router.delete(paths, handle);
  router.options(paths, handle);
  // Any other method (TRACE, PROPFIND…) on a function's path: 405 with the methods it takes.
  router.all(paths, (_req, res) => {
    res.set('Allow', HTTP_FUNCTION_METHODS.join(', '));
    throw new AppError('METHOD_NOT_ALLOWED', `an HTTP function takes ${HTTP_FUNCTION_METHODS.join(', ')}`);
  });
  return router;
}
