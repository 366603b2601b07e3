import type { FunctionDefinition, KeyLister } from '@faas/common';
import type { KV } from 'nats';
import { userEntries } from './user-entries.js';

export interface StoredFunction {
  readonly definition: FunctionDefinition;
  /** The KV revision, for compare-and-set; not the definition's own `revision`. */
  readonly kvRevision: number;
}

/** The `functions` bucket, keyed `<userId>.<name>`. */
export interface FunctionStore {
  /** ConflictError when the user already has a function of that name. */
  create(definition: FunctionDefinition): Promise<void>;
  get(userId: string, name: string): Promise<StoredFunction | undefined>;
  /** ConflictError when the entry changed since `kvRevision` was read. */
  update(definition: FunctionDefinition, kvRevision: number): Promise<void>;
  /** ConflictError when the entry changed since `kvRevision` was read. */
  remove(userId: string, name: string, kvRevision: number): Promise<void>;
  /** The user's function names, in no particular order. */
  names(userId: string): Promise<string[]>;
}

export function createFunctionStore(kv: KV, listKeys: KeyLister): FunctionStore {
  const entries = userEntries<FunctionDefinition>(kv, 'function', listKeys);
  return {
    create: (definition) => entries.create(definition.userId, definition.name, definition),
    async get(userId, name) {
      const stored = await entries.get(userId, name);
      return stored && { definition: stored.value, kvRevision: stored.kvRevision };
    },
    update: (definition, kvRevision) => entries.update(definition.userId, definition.name, definition, kvRevision),
    remove: (userId, name, kvRevision) => entries.remove(userId, name, kvRevision),
    names: (userId) => entries.names(userId),
  };
}
