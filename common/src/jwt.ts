import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { UnauthenticatedError } from './errors.js';

export interface TokenSettings {
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  /** Seconds a token stays valid. */
  readonly ttlSeconds: number;
  /** The `key` claim APISIX's jwt-auth plugin uses to find its consumer. */
  readonly consumerKey: string;
}

export interface Principal {
  readonly id: string;
  readonly username: string;
  readonly role: string;
  /** The account's token generation when this token was issued (`gen` claim; absent: 0). */
  readonly generation?: number;
}

const ALGORITHM = 'HS256';
const SUBJECT_SAFE = /^[A-Za-z0-9_-]{1,128}$/;

export async function issueToken(settings: TokenSettings, principal: Principal): Promise<{ token: string; expiresIn: number }> {
  const claims = { username: principal.username, role: principal.role, key: settings.consumerKey, gen: principal.generation ?? 0 };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(principal.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + settings.ttlSeconds)
    .sign(new TextEncoder().encode(settings.secret));
  return { token, expiresIn: settings.ttlSeconds };
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/** HS256 pinned: `alg: none` and any other algorithm are refused before the signature is looked at. */
export function createTokenVerifier(settings: Pick<TokenSettings, 'secret' | 'issuer' | 'audience'>): TokenVerifier {
  const key = new TextEncoder().encode(settings.secret);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ALGORITHM],
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['sub', 'exp'],
      });
      const { sub, username, role, gen = 0 } = payload;
      // `sub` becomes part of KV keys and NATS subjects: only safe characters.
      if (typeof sub !== 'string' || !SUBJECT_SAFE.test(sub) || typeof username !== 'string' || typeof role !== 'string') {
        throw new UnauthenticatedError('token lacks the expected claims');
      }
      if (typeof gen !== 'number' || !Number.isSafeInteger(gen) || gen < 0) throw new UnauthenticatedError('token lacks the expected claims');
      return { id: sub, username, role, generation: gen };
    } catch (err) {
      if (err instanceof UnauthenticatedError) throw err;
      const reason = err instanceof joseErrors.JWTExpired ? 'token expired' : 'invalid token';
      throw new UnauthenticatedError(reason, { cause: err });
    }
  };
}
