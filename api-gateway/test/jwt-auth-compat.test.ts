import { createHmac } from 'node:crypto';
import { createTokenVerifier, issueToken, jwtEnvShape, parseConfig, tokenSettingsFrom, type TokenSettings } from '@faas/common';
import { rejection } from '@faas/testing';
import { expect } from 'chai';
import { z } from 'zod';
import { buildGatewayConfig, loadGatewayConfig, RESOURCE_IDS } from '../src/index.js';
import { apisixJwtAuth, type JwtAuthConsumer } from './apisix-jwt-auth.js';
import { check, pluginSchemas } from './apisix-schemas.js';
import { gatewayEnv, newSecrets } from './helpers.js';

/** A JWT built by hand, for the shapes auth-service never signs. */
function forge(header: object, claims: object, secret: string, hash: 'sha256' | 'sha512' = 'sha256'): string {
  const enc = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signed = `${enc(header)}.${enc(claims)}`;
  return `${signed}.${createHmac(hash, secret).update(signed).digest('base64url')}`;
}

describe('api-gateway: tokens from auth-service pass APISIX 3.11.0 jwt-auth as configured', () => {
  // One environment for both sides, as in the stack: the same secret file and consumer key.
  const env = gatewayEnv('http://127.0.0.1:9180', newSecrets());
  const signer: TokenSettings = tokenSettingsFrom(parseConfig(z.object(jwtEnvShape), env));
  const resources = buildGatewayConfig(loadGatewayConfig(env).gateway);
  const consumerResource = resources.find((r) => r.kind === 'consumers' && r.id === RESOURCE_IDS.consumer);
  const rawConf = (consumerResource?.body.plugins as Record<string, unknown> | undefined)?.['jwt-auth'];
  const consumerSchema = pluginSchemas['jwt-auth']?.consumer;
  if (!consumerSchema) throw new Error('no jwt-auth consumer schema');
  const stored = check(consumerSchema, rawConf);
  if (!stored.ok) throw new Error(`consumer conf refused: ${stored.error}`);
  const consumers: JwtAuthConsumer[] = [{ username: String(consumerResource?.body.username), conf: stored.value as JwtAuthConsumer['conf'] }];
  const now = () => Math.floor(Date.now() / 1000);
  const user = { id: 'u-1', username: 'alice', role: 'user' };

  it('accepts a token signed the way auth-service signs it (HS256, raw secret bytes, key claim, exp) and names the consumer', async () => {
    const { token } = await issueToken(signer, user);
    expect(apisixJwtAuth(`Bearer ${token}`, consumers)).to.deep.equal({ status: 200, consumer: 'faas_users' });
    expect(apisixJwtAuth(`bearer ${token}`, consumers)).to.deep.include({ status: 200 });
    expect(stored.value).to.include({ algorithm: 'HS256', base64_secret: false, lifetime_grace_period: 0, key: 'faas-users' });
  });

  it('finds the consumer by the `key` claim only', async () => {
    const { token } = await issueToken({ ...signer, consumerKey: 'someone-else' }, user);
    expect(apisixJwtAuth(`Bearer ${token}`, consumers)).to.deep.equal({ status: 401, message: 'Invalid user key in JWT token' });
    const keyless = forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'u-1', exp: now() + 60 }, signer.secret);
    expect(apisixJwtAuth(`Bearer ${keyless}`, consumers)).to.deep.equal({ status: 401, message: 'missing user key in JWT token' });
  });

  it('refuses an expired token, one not valid yet (nbf), and one with neither exp nor nbf', () => {
    const claims = { key: signer.consumerKey, sub: 'u-1' };
    const expired = forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now() - 1 }, signer.secret);
    const early = forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now() + 60, nbf: now() + 30 }, signer.secret);
    const timeless = forge({ alg: 'HS256', typ: 'JWT' }, claims, signer.secret);
    for (const token of [expired, early, timeless]) {
      expect(apisixJwtAuth(`Bearer ${token}`, consumers)).to.deep.equal({ status: 401, message: 'failed to verify jwt' });
    }
    const justValid = forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now() + 2, nbf: now() }, signer.secret);
    expect(apisixJwtAuth(`Bearer ${justValid}`, consumers)).to.deep.include({ status: 200 });
  });

  it('refuses another secret, a base64 reading of ours (503: not base64), alg none, and a bad typ', () => {
    const claims = { key: signer.consumerKey, exp: now() + 60 };
    const b64Consumers = [{ ...consumers[0], conf: { ...consumers[0]!.conf, base64_secret: true } }] as JwtAuthConsumer[];
    const good = forge({ alg: 'HS256', typ: 'JWT' }, claims, signer.secret);
    expect(apisixJwtAuth(`Bearer ${forge({ alg: 'HS256' }, claims, 'another-secret')}`, consumers)).to.deep.include({ status: 401 });
    expect(apisixJwtAuth(`Bearer ${good}`, b64Consumers)).to.deep.equal({ status: 503, message: 'failed to verify jwt' });
    expect(apisixJwtAuth(`Bearer ${good.split('.').slice(0, 2).join('.')}.`, consumers)).to.deep.include({ status: 401 });
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${good.split('.')[1]}.x`;
    expect(apisixJwtAuth(`Bearer ${none}`, consumers)).to.deep.include({ status: 401 });
    expect(apisixJwtAuth(`Bearer ${forge({ alg: 'HS256', typ: 'JOSE' }, claims, signer.secret)}`, consumers)).to.deep.include({ status: 401 });
  });

  it('lets an HS512 token with our secret through the edge (the header picks the HMAC), which the services then refuse', async () => {
    const hs512 = forge({ alg: 'HS512', typ: 'JWT' }, { key: signer.consumerKey, sub: 'u-1', username: 'alice', role: 'user', iss: signer.issuer, aud: signer.audience, exp: now() + 60 }, signer.secret, 'sha512');
    expect(apisixJwtAuth(`Bearer ${hs512}`, consumers)).to.deep.include({ status: 200 });
    const err = await rejection(createTokenVerifier(signer)(hs512));
    expect(err.code).to.equal('UNAUTHENTICATED');
  });
});
