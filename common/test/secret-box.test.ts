import { expect } from 'chai';
import { newSecretsKeyLine } from '@faas/testing';
import { SecretUnreadableError, openSecret, parseSecretKeyring, sealSecret } from '../src/secret-box.js';

describe('common: sealed secrets', () => {
  const old = newSecretsKeyLine('old');
  const current = newSecretsKeyLine('new');
  const owner = { userId: 'user-a', name: 'DB_URL' };

  it('seals with a fresh nonce each time and opens to the same value; no plaintext in the sealed form', () => {
    const keyring = parseSecretKeyring(old);
    const one = sealSecret(keyring, owner, 'postgres://secret-value');
    const two = sealSecret(keyring, owner, 'postgres://secret-value');
    expect(one.nonce).to.not.equal(two.nonce);
    expect(one.ciphertext).to.not.equal(two.ciphertext);
    expect(JSON.stringify(one)).to.not.include('secret-value');
    expect(openSecret(keyring, owner, one)).to.equal('postgres://secret-value');
  });

  it('refuses a value moved to another owner or name (associated data), and a tampered one', () => {
    const keyring = parseSecretKeyring(old);
    const sealed = sealSecret(keyring, owner, 'v');
    expect(() => openSecret(keyring, { ...owner, userId: 'user-b' }, sealed)).to.throw(SecretUnreadableError);
    expect(() => openSecret(keyring, { ...owner, name: 'OTHER' }, sealed)).to.throw(SecretUnreadableError);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => openSecret(keyring, owner, { ...sealed, ciphertext: flipped.toString('base64') })).to.throw(SecretUnreadableError);
  });

  it('seals with the first key and still opens values sealed with a key rolled out of first place', () => {
    const before = sealSecret(parseSecretKeyring(old), owner, 'sealed-under-old');
    const rotated = parseSecretKeyring(`${current}\n${old}\n`);
    expect(rotated.active).to.equal('new');
    expect(openSecret(rotated, owner, before)).to.equal('sealed-under-old');
    expect(sealSecret(rotated, owner, 'x').kid).to.equal('new');
    expect(() => openSecret(parseSecretKeyring(current), owner, before)).to.throw(/key old/);
  });

  it('reads bare hex keys with a derived id and refuses malformed files', () => {
    const bare = parseSecretKeyring('ab'.repeat(32));
    expect(bare.active).to.match(/^[0-9a-f]{12}$/);
    expect(() => parseSecretKeyring('')).to.throw(/no key/);
    expect(() => parseSecretKeyring('k1:short')).to.throw(/32 bytes/);
    expect(() => parseSecretKeyring(`${old}\n${old}`)).to.throw(/twice/);
  });
});
