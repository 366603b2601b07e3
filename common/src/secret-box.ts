import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from './errors.js';

/** Secret names are environment variable names: safe as KV key tokens too. */
export const SECRET_NAME_PATTERN = /^[A-Z_][A-Z0-9_]{0,63}$/;
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;

export const secretNameSchema = z
  .string({ error: 'secret name must be a string' })
  .regex(SECRET_NAME_PATTERN, 'secret name must match ^[A-Z_][A-Z0-9_]{0,63}$ (an environment variable name)');

/**
 * The keys secrets are sealed with. `active` seals new values; every key in `keys` opens
 * values sealed under it, so a new key can be rolled in while old values stay readable.
 */
export interface SecretKeyring {
  readonly active: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** A sealed value as stored: AES-256-GCM under key `kid`, with a fresh 96-bit nonce per write. */
export interface SealedSecret {
  readonly v: 1;
  readonly kid: string;
  readonly nonce: string;
  readonly ciphertext: string;
  readonly tag: string;
}

/**
 * What a sealed value is. Each kind has its own associated-data namespace, so a value of one kind
 * never opens as the other (a sealed callback key copied into the secrets bucket as a secret
 * named `CALLBACK_KEY` opened, before callback keys had their own).
 */
export type SealKind = 'secret' | 'callback-key';

/** Who a value belongs to: bound as associated data, so a ciphertext moved to another key fails. */
export interface SecretOwner {
  readonly userId: string;
  readonly name: string;
  /** Absent: a secret. */
  readonly kind?: SealKind;
}

export class SecretUnreadableError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SECRET_UNREADABLE', message, options);
  }
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

function keyBytes(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? bytes : undefined;
}

/**
 * Parses a key file: one key per line, `<id>:<key>` or a bare `<key>` (its id is then a hash
 * of it), the key 32 bytes as 64 hex digits or base64. The first line is the active key.
 */
export function parseSecretKeyring(text: string): SecretKeyring {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const keys = new Map<string, Buffer>();
  lines.forEach((line, i) => {
    const colon = line.indexOf(':');
    const id = colon < 0 ? createHash('sha256').update(line).digest('hex').slice(0, 12) : line.slice(0, colon);
    const key = keyBytes(colon < 0 ? line : line.slice(colon + 1));
    if (!KEY_ID.test(id)) throw new Error(`line ${i + 1}: key id must be 1-32 of letters, digits, _ or -`);
    if (!key) throw new Error(`line ${i + 1}: key must be 32 bytes, as 64 hex digits or base64`);
    if (keys.has(id)) throw new Error(`line ${i + 1}: key id ${id} appears twice`);
    keys.set(id, key);
  });
  const active = keys.keys().next().value;
  if (active === undefined) throw new Error('no key in the file');
  return { active, keys };
}

const aad = (owner: SecretOwner): Buffer => Buffer.from(`faas-${owner.kind ?? 'secret'}:v1:${owner.userId}:${owner.name}`, 'utf8');

export function sealSecret(keyring: SecretKeyring, owner: SecretOwner, value: string): SealedSecret {
  const key = keyring.keys.get(keyring.active);
  if (!key) throw new SecretUnreadableError('the active secrets key is missing');
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad(owner));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { v: 1, kid: keyring.active, nonce: nonce.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/** Fails (never returns another value) when the key is unknown, the data altered, or the owner differs. */
export function openSecret(keyring: SecretKeyring, owner: SecretOwner, sealed: SealedSecret): string {
  const key = keyring.keys.get(sealed.kid);
  if (!key) throw new SecretUnreadableError(`secret ${owner.name} was sealed with key ${sealed.kid}, which this service does not have`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce, 'base64')).setAAD(aad(owner));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new SecretUnreadableError(`secret ${owner.name} does not decrypt for its owner`, { cause: err });
  }
}
