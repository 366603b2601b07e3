import { randomBytes, randomUUID } from 'node:crypto';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  nextTick,
  webhookPath,
  webhookTokenHash,
  type TriggerDefinition,
} from '@faas/common';
import type { FunctionStore } from '../functions/function-store.js';
import { checkTriggerCaps, type TriggerCaps } from './trigger-caps.js';
import type { TriggerSpec } from './trigger-input.js';
import type { StoredTrigger, TriggerStore } from './trigger-store.js';

export interface TriggerDeps {
  readonly triggers: TriggerStore;
  /** To check that the target (and a chain's source) is one of the owner's functions. */
  readonly functions: FunctionStore;
  readonly caps: TriggerCaps;
}

/** A trigger as the API shows it: never the token's hash; the token itself only when it is made. */
export type TriggerView = Omit<TriggerDefinition, 'tokenHash'> & { nextTick?: string; token?: string; url?: string };

const notFound = (name: string): NotFoundError => new NotFoundError(`trigger ${name} not found`);

export function viewOf(trigger: TriggerDefinition, token?: string): TriggerView {
  const { tokenHash: _hash, ...rest } = trigger as TriggerDefinition & { tokenHash?: string };
  const next = trigger.kind === 'schedule' && trigger.enabled ? nextTick(trigger, Date.now()) : undefined;
  return {
    ...rest,
    ...(next === undefined ? {} : { nextTick: new Date(next).toISOString() }),
    ...(token ? { token, url: webhookPath(token) } : {}),
  } as TriggerView;
}

/** 400 naming the field when the user has no such function (someone else's counts as none). */
async function requireFunctions(deps: TriggerDeps, userId: string, spec: TriggerSpec): Promise<void> {
  const wanted: Array<[string, string]> = [['function', spec.function]];
  if (spec.kind === 'function-finished') wanted.push(['source', spec.source]);
  for (const [path, name] of wanted) {
    if (!(await deps.functions.get(userId, name))) {
      throw new ValidationError(`${path}: you have no function named ${name}`, { details: [{ path, message: `no function named ${name}` }] });
    }
  }
}

const newToken = (): string => randomBytes(32).toString('base64url');

export async function createTrigger(deps: TriggerDeps, userId: string, input: TriggerSpec & { name: string }): Promise<TriggerView> {
  await requireFunctions(deps, userId, input);
  const now = new Date().toISOString();
  // Ordered as a reader expects: who and what first, then the kind's fields, then the bookkeeping.
  const head = { id: randomUUID(), userId, name: input.name, kind: input.kind, function: input.function };
  const base = { revision: 1, createdAt: now, updatedAt: now };
  if (input.kind !== 'webhook') {
    const trigger = { ...head, ...input, ...base } as TriggerDefinition;
    await checkTriggerCaps(deps.triggers, deps.caps, trigger);
    await deps.triggers.create(trigger);
    return viewOf(trigger);
  }
  const token = newToken();
  const trigger: TriggerDefinition = { ...head, ...input, ...base, tokenHash: webhookTokenHash(token) };
  await checkTriggerCaps(deps.triggers, deps.caps, trigger);
  // The token entry first: a webhook call that finds it checks the definition's hash anyway.
  await deps.triggers.putToken(trigger.tokenHash, { userId, name: trigger.name, triggerId: trigger.id });
  try {
    await deps.triggers.create(trigger);
  } catch (err) {
    await deps.triggers.removeToken(trigger.tokenHash).catch(() => undefined);
    throw err;
  }
  return viewOf(trigger, token);
}

async function stored(deps: TriggerDeps, userId: string, name: string): Promise<StoredTrigger> {
  const found = await deps.triggers.get(userId, name);
  if (!found) throw notFound(name);
  return found;
}

export async function getTrigger(deps: TriggerDeps, userId: string, name: string): Promise<TriggerView> {
  return viewOf((await stored(deps, userId, name)).trigger);
}

export async function listTriggers(deps: TriggerDeps, userId: string): Promise<TriggerView[]> {
  const names = (await deps.triggers.names(userId)).sort();
  const found = await Promise.all(names.map((name) => deps.triggers.get(userId, name)));
  return found.flatMap((f) => (f ? [viewOf(f.trigger)] : []));
}

/** Replaces the client-settable fields; the kind stays, and a webhook keeps its token. */
export async function updateTrigger(
  deps: TriggerDeps,
  userId: string,
  name: string,
  change: { spec: TriggerSpec; expectedRevision?: number },
): Promise<TriggerView> {
  const { trigger: current, kvRevision } = await stored(deps, userId, name);
  if (change.expectedRevision !== undefined && change.expectedRevision !== current.revision) {
    throw new ConflictError(`trigger ${name} is at revision ${current.revision}, not ${change.expectedRevision}`);
  }
  if (change.spec.kind !== current.kind) throw new ValidationError(`kind: trigger ${name} is a ${current.kind} trigger; delete it and create another kind`);
  await requireFunctions(deps, userId, change.spec);
  const head = { id: current.id, userId, name, kind: current.kind, function: change.spec.function };
  const token = current.kind === 'webhook' ? { tokenHash: current.tokenHash } : {};
  const next = { ...head, ...change.spec, ...token, revision: current.revision + 1, createdAt: current.createdAt, updatedAt: new Date().toISOString() } as TriggerDefinition;
  if (next.kind === 'schedule' && current.function !== next.function) await checkTriggerCaps(deps.triggers, deps.caps, next);
  await deps.triggers.update(next, kvRevision);
  return viewOf(next);
}

export async function deleteTrigger(deps: TriggerDeps, userId: string, name: string): Promise<void> {
  const { trigger, kvRevision } = await stored(deps, userId, name);
  await deps.triggers.remove(userId, name, kvRevision);
  if (trigger.kind === 'webhook') await deps.triggers.removeToken(trigger.tokenHash);
}

/** A new token for a webhook: the old one answers 404 from now on. */
export async function rotateWebhookToken(deps: TriggerDeps, userId: string, name: string): Promise<TriggerView> {
  const { trigger: current, kvRevision } = await stored(deps, userId, name);
  if (current.kind !== 'webhook') throw new ValidationError(`trigger ${name} is a ${current.kind} trigger: only a webhook has a token`);
  const token = newToken();
  const next: TriggerDefinition = { ...current, tokenHash: webhookTokenHash(token), revision: current.revision + 1, updatedAt: new Date().toISOString() };
  await deps.triggers.putToken(next.tokenHash, { userId, name, triggerId: next.id });
  await deps.triggers.update(next, kvRevision);
  await deps.triggers.removeToken(current.tokenHash);
  return viewOf(next, token);
}
