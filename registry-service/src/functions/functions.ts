import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError, type FunctionDefinition } from '@faas/common';
import type { FunctionSpec } from './function-input.js';
import type { FunctionStore } from './function-store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { requireSecrets } from '../secrets/secrets.js';

export interface FunctionDeps {
  readonly functions: FunctionStore;
  /** To check that the secrets a function declares exist. */
  readonly secrets: SecretStore;
}

export interface FunctionPage {
  readonly items: readonly FunctionDefinition[];
  /** The last name of this page when more follow; list again with `after` set to it. */
  readonly last: string | null;
}

const notFound = (name: string): NotFoundError => new NotFoundError(`function ${name} not found`);

/**
 * A name is either an `env` entry or a secret, never both: warm and cold runs disagreed on which
 * one a run saw, so neither is allowed to shadow the other. A 400 naming the keys.
 */
function refuseEnvShadowingSecrets(env: Readonly<Record<string, string>>, secrets: readonly string[]): void {
  const both = secrets.filter((name) => Object.hasOwn(env, name));
  if (both.length === 0) return;
  throw new ValidationError(`env: ${both.join(', ')} ${both.length === 1 ? 'is' : 'are'} also declared in secrets; a name is either an env entry or a secret`, {
    details: both.map((name) => ({ path: `env.${name}`, message: 'also declared in secrets' })),
  });
}

/** `http`, `public` and the owner's name for the route; `public` alone is refused. */
function httpFields(spec: Pick<FunctionSpec, 'http' | 'public' | 'owner'>): Pick<FunctionDefinition, 'http' | 'public' | 'owner'> {
  if (spec.public && !spec.http) throw new ValidationError('public: only an HTTP function can be public; set "http": true too');
  if (!spec.http) return {};
  if (!spec.owner) throw new ValidationError('http: the token names no username to route the function under');
  return { http: true, owner: spec.owner, ...(spec.public ? { public: true } : {}) };
}

export async function registerFunction(deps: FunctionDeps, userId: string, input: FunctionSpec & { name: string }): Promise<FunctionDefinition> {
  refuseEnvShadowingSecrets(input.env, input.secrets);
  const http = httpFields(input);
  await requireSecrets(deps, userId, input.secrets);
  const now = new Date().toISOString();
  const definition: FunctionDefinition = {
    id: randomUUID(),
    userId,
    name: input.name,
    image: input.image,
    description: input.description,
    env: input.env,
    secrets: input.secrets,
    timeoutSeconds: input.timeoutSeconds,
    memoryMb: input.memoryMb,
    cpus: input.cpus,
    network: input.network,
    ...(input.warm === undefined ? {} : { warm: input.warm }),
    ...(input.runtime === undefined ? {} : { runtime: input.runtime }),
    ...http,
    revision: 1,
    createdAt: now,
    updatedAt: now,
  };
  await deps.functions.create(definition);
  return definition;
}

/** The caller's function; someone else's is as absent as a missing one. */
export async function getFunction(deps: FunctionDeps, userId: string, name: string): Promise<FunctionDefinition> {
  const stored = await deps.functions.get(userId, name);
  if (!stored) throw notFound(name);
  return stored.definition;
}

/** Replaces the client-settable fields; `expectedRevision`, when given, must be the current one. */
export async function updateFunction(
  deps: FunctionDeps,
  userId: string,
  name: string,
  change: { spec: FunctionSpec; expectedRevision?: number },
): Promise<FunctionDefinition> {
  const stored = await deps.functions.get(userId, name);
  if (!stored) throw notFound(name);
  const current = stored.definition;
  if (change.expectedRevision !== undefined && change.expectedRevision !== current.revision) {
    throw new ConflictError(`function ${name} is at revision ${current.revision}, not ${change.expectedRevision}`);
  }
  const { image, description, env, secrets, timeoutSeconds, memoryMb, cpus, network, warm, runtime } = change.spec;
  refuseEnvShadowingSecrets(env, secrets);
  const http = httpFields(change.spec);
  await requireSecrets(deps, userId, secrets);
  // A full replacement: an omitted `warm`, `runtime` or `http` goes back to the default (absent).
  const { warm: _previous, runtime: _previousRuntime, http: _http, public: _public, owner: _owner, ...kept } = current;
  const next: FunctionDefinition = {
    ...kept,
    ...{ image, description, env, secrets, timeoutSeconds, memoryMb, cpus, network },
    ...(warm === undefined ? {} : { warm }),
    ...(runtime === undefined ? {} : { runtime }),
    ...http,
    revision: current.revision + 1,
    updatedAt: new Date().toISOString(),
  };
  await deps.functions.update(next, stored.kvRevision);
  return next;
}

export async function deleteFunction(deps: FunctionDeps, userId: string, name: string): Promise<void> {
  const stored = await deps.functions.get(userId, name);
  if (!stored) throw notFound(name);
  try {
    await deps.functions.remove(userId, name, stored.kvRevision);
  } catch (err) {
    // Lost to a concurrent delete: the function is gone either way, as that caller was told.
    if (err instanceof ConflictError && !(await deps.functions.get(userId, name))) throw notFound(name);
    throw err;
  }
}

/** The caller's functions sorted by name (code point order), `limit` at a time after `after`. */
export async function listFunctions(deps: FunctionDeps, userId: string, page: { limit: number; after?: string }): Promise<FunctionPage> {
  const after = page.after;
  const names = (await deps.functions.names(userId)).filter((n) => after === undefined || n > after).sort(byCodePoint);
  const slice = names.slice(0, page.limit);
  const found = await Promise.all(slice.map((name) => deps.functions.get(userId, name)));
  // A function deleted between listing keys and reading it is simply left out.
  const items = found.flatMap((stored) => (stored ? [stored.definition] : []));
  const more = names.length > slice.length;
  return { items, last: more ? (slice[slice.length - 1] ?? null) : null };
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
