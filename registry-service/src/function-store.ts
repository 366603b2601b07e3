import { ConflictError, isWrongLastSequence, retryPassing, type FunctionDefinition } from '@faas/common';
import type { KV } from 'nats';

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

const keyOf = (userId: string, name: string): string => `${userId}.${name}`;

async function conflictOnRace<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isWrongLastSequence(err)) throw new ConflictError(message, { cause: err });
    throw err;
  }
}

export function createFunctionStore(kv: KV): FunctionStore {
  const encode = (definition: FunctionDefinition): string => JSON.stringify(definition);
  return {
    async create(definition) {
      const key = keyOf(definition.userId, definition.name);
      await conflictOnRace(() => kv.create(key, encode(definition)), `function ${definition.name} already exists`);
    },
    async get(userId, name) {
      // Reads are safe to repeat: a leader election (node loss) is retried before it becomes a 503.
      const entry = await retryPassing(() => kv.get(keyOf(userId, name)));
      if (!entry || entry.operation !== 'PUT') return undefined;
      return { definition: entry.json<FunctionDefinition>(), kvRevision: entry.revision };
    },
    async update(definition, kvRevision) {
      const key = keyOf(definition.userId, definition.name);
      await conflictOnRace(() => kv.update(key, encode(definition), kvRevision), `function ${definition.name} was changed meanwhile`);
    },
    async remove(userId, name, kvRevision) {
      await conflictOnRace(() => kv.delete(keyOf(userId, name), { previousSeq: kvRevision }), `function ${name} was changed meanwhile`);
    },
    async names(userId) {
      const prefix = `${userId}.`;
      return retryPassing(async () => {
        const names: string[] = [];
        for await (const key of await kv.keys(`${prefix}>`)) {
          if (key.startsWith(prefix)) names.push(key.slice(prefix.length));
        }
        return names;
      });
    },
  };
}
