import { BUCKETS, SecretUnreadableError, connectNats, createLogger, openBucket, openSecret, parseSecretKeyring, sealSecret, type SealedSecret } from '@faas/common';
import { newSecretsKeyLine, rejection, testNatsUrls, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { KV, NatsConnection } from 'nats';
import { createCallbackKeys } from '../src/callbacks/callback-keys.js';

describe('publisher: callback signing keys', () => {
  let nc: NatsConnection;
  let kv: KV;
  const keyring = parseSecretKeyring(newSecretsKeyLine('cb-1'));

  before(async () => {
    nc = await connectNats({ servers: testNatsUrls(), name: 'callback-keys-test', logger: createLogger('callback-keys-test', 'silent') });
    kv = await openBucket(nc, BUCKETS.callbackKeys, { replicas: 3, leaderReads: true }); // as the publisher opens it
  });
  after(() => nc.close());

  it('makes one key per user on first use, keeps it, and stores it sealed (never in clear)', async () => {
    const keys = createCallbackKeys(kv, keyring);
    const user = uniqueName('cbk');
    const [a, b] = await Promise.all([keys.reveal(user), keys.reveal(user)]);
    expect(a?.key).to.have.length(43);
    expect(b?.key).to.equal(a?.key);
    expect(await keys.signingKey(user)).to.equal(a?.key);
    expect(await keys.signingKey(uniqueName('cbk'))).to.not.equal(a?.key);
    const stored = (await kv.get(user))?.string() ?? '';
    expect(stored).to.include('ciphertext');
    expect(stored).to.not.include(a?.key ?? 'missing');
  });

  it('rotates: the new key signs from then on, the old one is gone', async () => {
    const keys = createCallbackKeys(kv, keyring);
    const user = uniqueName('cbk');
    const before = await keys.reveal(user);
    const rotated = await keys.rotate(user);
    expect(rotated.key).to.not.equal(before.key);
    expect(await keys.signingKey(user)).to.equal(rotated.key);
  });

  it('seals a key under its own kind: copied into the secrets bucket it does not open as the secret CALLBACK_KEY', async () => {
    const keys = createCallbackKeys(kv, keyring);
    const user = uniqueName('cbk');
    await keys.reveal(user);
    const sealed = (await kv.get(user))?.json<{ sealed: SealedSecret }>().sealed;
    if (!sealed) throw new Error('no stored key');
    // What the spawner does with `<userId>.CALLBACK_KEY` in the secrets bucket.
    expect(() => openSecret(keyring, { userId: user, name: 'CALLBACK_KEY' }, sealed)).to.throw(SecretUnreadableError);
  });

  it('still reads a key sealed the old way (as the secret CALLBACK_KEY) and seals it again under its own kind', async () => {
    const keys = createCallbackKeys(kv, keyring);
    const user = uniqueName('cbk');
    const old = 'k'.repeat(43);
    await kv.put(user, JSON.stringify({ sealed: sealSecret(keyring, { userId: user, name: 'CALLBACK_KEY' }, old), createdAt: '2026-01-01T00:00:00.000Z' }));
    expect(await keys.reveal(user)).to.deep.equal({ key: old, createdAt: '2026-01-01T00:00:00.000Z' });
    const resealed = (await kv.get(user))?.json<{ sealed: SealedSecret }>().sealed;
    if (!resealed) throw new Error('no stored key');
    expect(() => openSecret(keyring, { userId: user, name: 'CALLBACK_KEY' }, resealed)).to.throw(SecretUnreadableError);
    expect(await keys.signingKey(user)).to.equal(old);
  });

  it('without a keyring: callbacks go unsigned and reading the key is a 503', async () => {
    const keys = createCallbackKeys(kv, undefined);
    expect(await keys.signingKey(uniqueName('cbk'))).to.equal(undefined);
    expect((await rejection(keys.reveal(uniqueName('cbk')))).code).to.equal('UNAVAILABLE');
  });
});
