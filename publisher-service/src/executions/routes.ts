import {
  MAX_INPUTS, admittedOf, functionNameSchema, inputsSchema, jsonBody, noopTracer, parseInput, principalOf, requireAdmission, requireUser,
  type AdmissionVerifier, type TokenVerifier, type Tracer,
} from '@faas/common';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { traceAccept } from './accept-span.js';
import { holdEarly, type EarlyHold } from './early-hold.js';
import { getExecution, listExecutions } from './execution-reads.js';
import { submitExecution, type Caller, type ExecutionDeps, type SubmitInput } from './executions.js';

export interface PublisherRouteDeps extends ExecutionDeps {
  readonly verifyToken: TokenVerifier;
  /** The execution submits' verifier: their request count runs beside the quota hold (submitExecution). */
  readonly admit: AdmissionVerifier;
  readonly syncWait: { readonly marginMs: number; readonly maxMs: number };
  /** Aborted when the process stops: waiting sync callers get their 202 and status URL at once. */
  readonly syncWaitsEnd?: AbortSignal;
  /** Makes the `accept` spans; absent: a no-op tracer (a client's traceparent is still passed on). */
  readonly tracer?: Tracer;
}

/** Strings pass as they are; other JSON values (e.g. `{"a":23,"b":10}`) are passed as their JSON text. */
const argument = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.unknown()), z.record(z.string(), z.unknown())], {
    error: 'argument must be a string or a JSON value',
  })
  .optional()
  .transform((value) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)))
  .meta({ description: 'the last argv element of the function; a JSON value other than a string is passed as its JSON text' });
export const syncBody = z.object(
  {
    name: functionNameSchema,
    argument,
    inputs: inputsSchema.optional().meta({ description: `your objects, placed read-only under /faas/in/<name> (at most ${MAX_INPUTS})` }),
    outputs: z.boolean({ error: 'outputs must be true or false' }).optional().meta({ description: 'collect /faas/out/ as objects executions/<id>/<path> (implied by inputs)' }),
  },
  { error: 'body must be a JSON object' },
);
export const asyncBody = syncBody.extend({ callbackUrl: z.string({ error: 'callbackUrl must be a string' }).max(2048).optional() });
export const listQuery = z.object({
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
  function: functionNameSchema.optional(),
});

const statusUrl = (id: string): string => `/publisher/executions/${id}`;

const holdOf = (res: Response): EarlyHold | undefined => res.locals.hold as EarlyHold | undefined;

function callerOf(res: Response): Caller {
  const admitted = admittedOf(res);
  const hold = holdOf(res);
  return { principal: principalOf(res), token: String(res.locals.token), requestId: String(res.locals.requestId), ...(admitted ? { admitted } : {}), ...(hold ? { hold } : {}) };
}

/**
 * A submit that fails before its count is joined (bad body, unknown function) gives its early
 * quota hold back, and answers the count's 429 first, as when the count came first. Four
 * parameters: Express knows error handlers by arity.
 */
const countFirst: ErrorRequestHandler = async (err, _req, res, _next) => {
  await holdOf(res)?.giveBack();
  await admittedOf(res);
  throw err;
};

/** Aborts when the connection closes before the answer was sent: nobody is left to wait for. */
function untilClientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableEnded) gone.abort();
  });
  return gone.signal;
}

export function publisherRoutes(deps: PublisherRouteDeps): Router {
  const router = Router();
  const tracer = deps.tracer ?? noopTracer();
  const submit = (req: Request, res: Response, input: SubmitInput, waitForResult: boolean) =>
    traceAccept(tracer, req, callerOf(res), (caller) => submitExecution(deps, caller, input, waitForResult));
  const body = jsonBody(deps.maxArgumentBytes * 6 + 65_536);
  // The count starts with the token's check, and the quota hold right after it (early-hold.ts).
  const admit = requireAdmission(deps.admit);
  const admitted: RequestHandler[] = [admit, (_req, res, next) => {
    res.locals.hold = holdEarly(deps, principalOf(res).id);
    next();
  }];
  const accepted = (res: Response, id: string, status: string): void => {
    res.status(202).location(statusUrl(id)).json({ executionId: id, status, statusUrl: statusUrl(id) });
  };

  router.post('/publish', ...admitted, body, async (req: Request, res: Response) => {
    const input = parseInput(syncBody, req.body ?? {});
    const gone = untilClientGone(res);
    const { record, fn, wait } = await submit(req, res, input, true);
    const waitMs = Math.min(fn.timeoutSeconds * 1000 + deps.syncWait.marginMs, deps.syncWait.maxMs);
    const final = await wait?.result(waitMs, deps.syncWaitsEnd ? AbortSignal.any([deps.syncWaitsEnd, gone]) : gone);
    if (gone.aborted) return void deps.logger.info({ executionId: record.id }, 'sync caller gone: wait ended, the execution goes on');
    if (final) res.json(final);
    else accepted(res, record.id, 'queued');
  }, countFirst);
  router.post('/executions', ...admitted, body, async (req: Request, res: Response) => {
    const input = parseInput(asyncBody, req.body ?? {});
    const { record } = await submit(req, res, input, false);
    accepted(res, record.id, record.status);
  }, countFirst);
  // Every other route here (and a path none serves) is counted before it runs.
  router.use(requireUser(deps.verifyToken));
  router.use(body);
  router.get('/executions', async (req, res) => {
    const query = parseInput(listQuery, req.query);
    res.json(await listExecutions(deps, principalOf(res).id, query));
  });
  router.get('/executions/:id', async (req, res) => {
    res.json(await getExecution(deps, principalOf(res).id, String(req.params.id)));
  });
  return router;
}
