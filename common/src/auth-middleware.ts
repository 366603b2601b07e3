import type { Request, RequestHandler, Response } from 'express';
import { UnauthenticatedError } from './errors.js';
import type { Principal, TokenVerifier } from './jwt.js';
import type { AdmissionVerifier } from './user-rate-limit.js';

const MAX_TOKEN_LENGTH = 8192;

function bearerToken(req: Request): string {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const token = match?.[1];
  if (!token) throw new UnauthenticatedError('missing bearer token');
  if (token.length > MAX_TOKEN_LENGTH) throw new UnauthenticatedError('invalid token');
  return token;
}

/** Verifies `Authorization: Bearer <jwt>` and puts the caller in `res.locals.principal`. */
export function requireUser(verify: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req);
    res.locals.principal = await verify(token);
    res.locals.token = token;
    next();
  };
}

/**
 * requireUser, but the request's count against the per-user limit is left running in
 * `res.locals.admitted` (see `admittedOf`): the route must await it before any lasting write.
 */
export function requireAdmission(admit: AdmissionVerifier): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req);
    const { principal, counted } = await admit(token);
    res.locals.principal = principal;
    res.locals.admitted = counted;
    res.locals.token = token;
    next();
  };
}

export function principalOf(res: Response): Principal {
  const principal: unknown = res.locals.principal;
  if (!principal) throw new UnauthenticatedError();
  return principal as Principal;
}

/** The count requireAdmission left running; undefined when the request was counted already. */
export function admittedOf(res: Response): Promise<void> | undefined {
  const admitted: unknown = res.locals.admitted;
  return admitted instanceof Promise ? (admitted as Promise<void>) : undefined;
}
