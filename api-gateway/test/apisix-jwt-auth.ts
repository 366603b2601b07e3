import { createHmac } from 'node:crypto';

/**
 * The check APISIX 3.11.0's jwt-auth plugin makes on a request, transcribed from
 * apache/apisix tag 3.11.0 apisix/plugins/jwt-auth.lua (fetch_jwt_token, rewrite, get_secret)
 * and the library it pins in apisix-master-0.rockspec, api7-lua-resty-jwt 0.2.5
 * (lib/resty/jwt.lua load_jwt, verify_jwt_obj, get_default_validation_options;
 * lib/resty/jwt-validators.lua is_not_expired, opt_is_not_before, require_one_of).
 * HMAC algorithms only: the platform uses no RS256/ES256 consumer.
 */
export interface JwtAuthConsumer {
  readonly username: string;
  /** The consumer's jwt-auth conf, defaults filled in as APISIX stores it. */
  readonly conf: { key: string; secret: string; algorithm?: string; base64_secret?: boolean; lifetime_grace_period?: number };
}

export type JwtAuthOutcome = { status: 200; consumer: string } | { status: 401 | 503; message: string };

type Claims = Record<string, unknown>;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** jwt_decode: base64url with padding restored, then JSON; undefined where Lua gets nil. */
function decodePart(part: string): Claims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Claims) : undefined;
  } catch {
    return undefined;
  }
}

/** fetch_jwt_token, header branch: "Bearer " or "bearer " is stripped, anything else is taken whole. */
function tokenFrom(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const prefix = authorization.slice(0, 7);
  return prefix === 'Bearer ' || prefix === 'bearer ' ? authorization.slice(7) : authorization;
}

/** validate_claims with the legacy options jwt-auth passes: {require_exp_claim, require_nbf_claim, lifetime_grace_period}. */
function claimsProblem(payload: Claims, leeway: number, nowSeconds: number): string | undefined {
  const { exp, nbf } = payload;
  if (exp === undefined && nbf === undefined) return 'Missing one of claims - [ nbf, exp ].';
  for (const [name, value] of [['nbf', nbf], ['exp', exp]] as const) {
    if (value !== undefined && (typeof value !== 'number' || value < 0)) return `'${name}' is malformed.`;
  }
  if (typeof nbf === 'number' && !(nbf <= nowSeconds + leeway)) return "'nbf' claim not valid until";
  if (typeof exp === 'number' && !(exp > nowSeconds - leeway)) return "'exp' claim expired at";
  return undefined;
}

/** verify_jwt_obj for HS256/HS512: the token header's alg picks the HMAC; the typ header must be absent, JWT or JWE. */
function signatureProblem(parts: string[], header: Claims, secret: Buffer): string | undefined {
  const { alg, typ } = header;
  if (alg !== 'HS256' && alg !== 'HS512') return `Unsupported algorithm ${String(alg)}`;
  if (typ !== undefined && typ !== 'JWT' && typ !== 'JWE') return `invalid typ: ${String(typ)}`;
  const mac = createHmac(alg === 'HS256' ? 'sha256' : 'sha512', secret).update(`${parts[0]}.${parts[1]}`).digest('base64url');
  return mac === parts[2] ? undefined : 'signature mismatch';
}

/** jwt-auth's rewrite phase for a request carrying `authorization`, against the given consumers. */
export function apisixJwtAuth(authorization: string | undefined, consumers: readonly JwtAuthConsumer[], nowSeconds = Date.now() / 1000): JwtAuthOutcome {
  const token = tokenFrom(authorization);
  if (!token) return { status: 401, message: 'Missing JWT token in request' };
  // split_string keeps the non-empty runs between dots; three of them make a JWS.
  const parts = token.split('.').filter((p) => p.length > 0);
  const header = parts.length === 3 ? decodePart(parts[0] ?? '') : undefined;
  const payload = parts.length === 3 ? decodePart(parts[1] ?? '') : undefined;
  if (!header || !payload) return { status: 401, message: 'JWT token invalid' };
  const key = payload.key;
  if (key === undefined || key === null) return { status: 401, message: 'missing user key in JWT token' };
  const consumer = consumers.find((c) => c.conf.key === key);
  if (!consumer) return { status: 401, message: 'Invalid user key in JWT token' };
  const { secret: raw, base64_secret: base64 = false, lifetime_grace_period: leeway = 0 } = consumer.conf;
  // get_auth_secret: ngx.decode_base64 gives nil for text that is not base64, and jwt-auth answers 503.
  if (base64 && !BASE64.test(raw)) return { status: 503, message: 'failed to verify jwt' };
  const secret = base64 ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  const problem = claimsProblem(payload, leeway, nowSeconds) ?? signatureProblem(parts, header, secret);
  return problem ? { status: 401, message: 'failed to verify jwt' } : { status: 200, consumer: consumer.username };
}
