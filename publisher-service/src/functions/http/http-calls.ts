import { NotFoundError, refusalFor, UnauthenticatedError, type AccountControl, type ExecutionRecord, type FunctionDefinition, type Principal, type TokenVerifier } from '@faas/common';
import { submitExecution, type ExecutionDeps } from '../../executions/executions.js';
import { newExecutionId } from '../../executions/ids.js';
import { httpEventOf, type HttpCall } from './http-event.js';
import type { HttpTargets } from './http-targets.js';

export interface HttpCallDeps extends ExecutionDeps {
  readonly targets: HttpTargets;
  readonly verifyToken: TokenVerifier;
  readonly accountControl: (userId: string) => AccountControl | undefined;
  /** Counts one anonymous call from this client address; RateLimitedError (429) past the budget. */
  readonly hitAddress: (address: string) => Promise<void>;
}

const MAX_TOKEN_LENGTH = 8192;

/** Another user's private function is as absent as a missing one: its existence does not leak. */
const noSuchFunction = (owner: string, name: string): NotFoundError => new NotFoundError(`no HTTP function ${owner}/${name}`);

async function callerOf(deps: HttpCallDeps, authorization: string | undefined): Promise<Principal> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw new UnauthenticatedError('missing bearer token: this HTTP function is not public');
  if (token.length > MAX_TOKEN_LENGTH) throw new UnauthenticatedError('invalid token');
  return deps.verifyToken(token);
}

/**
 * Which function a call reaches and as whom it runs. A public one: anyone, counted per client
 * address; a private one: its owner's token only (401 without a valid token, 404 with another
 * user's). Calls the watch cannot answer are counted before the bucket is scanned for them.
 */
export async function resolveHttpCall(
  deps: HttpCallDeps,
  route: { owner: string; name: string; address: string; authorization: string | undefined },
): Promise<{ fn: FunctionDefinition; caller?: Principal }> {
  let fn = deps.targets.cached(route.owner, route.name);
  if (!fn || fn.public) await deps.hitAddress(route.address);
  fn ??= await deps.targets.scan(route.owner, route.name);
  if (!fn) throw noSuchFunction(route.owner, route.name);
  if (!fn.public) {
    const caller = await callerOf(deps, route.authorization);
    if (caller.id !== fn.userId) throw noSuchFunction(route.owner, route.name);
    return { fn, caller };
  }
  if (refusalFor(deps.accountControl(fn.userId), { id: fn.userId, username: fn.owner ?? '', role: 'user' })) throw noSuchFunction(route.owner, route.name);
  return { fn };
}

/** Queues the execution whose argument is the request's event, and subscribes to its result. */
export async function submitHttpCall(
  deps: HttpCallDeps,
  target: { fn: FunctionDefinition; caller?: Principal },
  call: Omit<HttpCall, 'caller' | 'passAuthorization'> & { requestId: string },
): Promise<{ record: ExecutionRecord; result: (waitMs: number, stop: AbortSignal) => Promise<ExecutionRecord | undefined> }> {
  const { fn, caller } = target;
  const id = newExecutionId();
  const event = httpEventOf({ ...call, ...(caller ? { caller } : {}), passAuthorization: fn.public === true }, { requestId: id, now: new Date() });
  // The function runs as its owner (quota, records), whoever called it.
  const owner: Principal = caller ?? { id: fn.userId, username: fn.owner ?? '', role: 'user' };
  const submitDeps = { ...deps, functions: { getFunction: () => Promise.resolve(fn) } };
  const input = { name: fn.name, argument: JSON.stringify(event), id, newId: true as const, http: { method: call.method, path: call.rawPath } };
  const { record, wait } = await submitExecution(submitDeps, { principal: owner, token: '', requestId: call.requestId }, input, true);
  return { record, result: async (waitMs, stop) => wait?.result(waitMs, stop) };
}
