import type { RequestHandler, Response } from 'express';
import { UnauthenticatedError } from './errors.js';
import type { Principal, TokenVerifier } from './jwt.js';

const MAX_TOKEN_LENGTH = 8192;

/** Verifies `Authorization: Bearer <jwt>` and puts the caller in `res.locals.principal`. */
export function requireUser(verify: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match?.[1];
    if (!token) throw new UnauthenticatedError('missing bearer token');
    if (token.length > MAX_TOKEN_LENGTH) throw new UnauthenticatedError('invalid token');
    res.locals.principal = await verify(token);
    res.locals.token = token;
    next();
  };
}

export function principalOf(res: Response): Principal {
  const principal: unknown = res.locals.principal;
  if (!principal) throw new UnauthenticatedError();
  return principal as Principal;
}
