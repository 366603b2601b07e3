import {
  NotFoundError,
  TooLargeError,
  UnavailableError,
  ValidationError,
  MAX_SECRET_VALUE_BYTES,
  sealSecret,
  type SecretKeyring,
} from '@faas/common';
import type { SecretMetadata, SecretStore, StoredSecret } from './secret-store.js';

export interface SecretDeps {
  readonly secrets: SecretStore;
  /** Absent when SECRETS_KEY_FILE is not set: values cannot be sealed. */
  readonly keyring?: SecretKeyring;
}

const metadata = ({ name, version, createdAt, updatedAt }: StoredSecret): SecretMetadata => ({ name, version, createdAt, updatedAt });
const notFound = (name: string): NotFoundError => new NotFoundError(`secret ${name} not found`);

/** Messages name the rule broken, never the value. */
function sealValue(deps: SecretDeps, userId: string, name: string, value: string) {
  if (!deps.keyring) throw new UnavailableError('secrets are not configured on this platform (SECRETS_KEY_FILE is not set)');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_SECRET_VALUE_BYTES) throw new TooLargeError(`value: a secret holds at most ${MAX_SECRET_VALUE_BYTES} bytes; this one has ${bytes}`);
  if (value.includes('\0')) throw new ValidationError('value: must not contain NUL (it becomes an environment variable)');
  return sealSecret(deps.keyring, { userId, name }, value);
}

export async function createSecret(deps: SecretDeps, userId: string, input: { name: string; value: string }): Promise<SecretMetadata> {
  const now = new Date().toISOString();
  const secret: StoredSecret = { name: input.name, version: 1, createdAt: now, updatedAt: now, sealed: sealValue(deps, userId, input.name, input.value) };
  await deps.secrets.create(userId, secret);
  return metadata(secret);
}

export async function replaceSecret(deps: SecretDeps, userId: string, name: string, value: string): Promise<SecretMetadata> {
  const found = await deps.secrets.get(userId, name);
  if (!found) throw notFound(name);
  const next: StoredSecret = {
    ...found.secret,
    version: found.secret.version + 1,
    updatedAt: new Date().toISOString(),
    sealed: sealValue(deps, userId, name, value),
  };
  await deps.secrets.update(userId, next, found.kvRevision);
  return metadata(next);
}

export async function getSecret(deps: SecretDeps, userId: string, name: string): Promise<SecretMetadata> {
  const found = await deps.secrets.get(userId, name);
  if (!found) throw notFound(name);
  return metadata(found.secret);
}

export async function listSecrets(deps: SecretDeps, userId: string): Promise<SecretMetadata[]> {
  const names = (await deps.secrets.names(userId)).sort();
  const found = await Promise.all(names.map((name) => deps.secrets.get(userId, name)));
  return found.flatMap((f) => (f ? [metadata(f.secret)] : []));
}

export async function deleteSecret(deps: SecretDeps, userId: string, name: string): Promise<void> {
  if (!(await deps.secrets.get(userId, name))) throw notFound(name);
  await deps.secrets.remove(userId, name);
}

/** A function may declare only secrets its owner has: a 400 that names the missing ones. */
export async function requireSecrets(deps: Pick<SecretDeps, 'secrets'>, userId: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const have = new Set(await deps.secrets.names(userId));
  const missing = names.filter((n) => !have.has(n));
  if (missing.length > 0) {
    throw new ValidationError(`secrets: you have no secret named ${missing.join(', ')}`, { details: missing.map((name) => ({ path: 'secrets', message: `no secret named ${name}` })) });
  }
}
