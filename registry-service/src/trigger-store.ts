import { ConflictError, isWrongLastSequence, retryPassing, triggerKey, type TriggerDefinition, type WebhookTokenEntry } from '@faas/common';
import type { KV } from 'nats';

export interface StoredTrigger {
  readonly trigger: TriggerDefinition;
  readonly kvRevision: number;
}

/** KV `triggers` (`<userId>.<name>`) and KV `trigger-tokens` (`<token hash>`). */
export interface TriggerStore {
  /** ConflictError when the user already has a trigger of that name. */
  create(trigger: TriggerDefinition): Promise<void>;
  get(userId: string, name: string): Promise<StoredTrigger | undefined>;
  /** ConflictError when the entry changed since `kvRevision` was read. */
  update(trigger: TriggerDefinition, kvRevision: number): Promise<void>;
  /** ConflictError when the entry changed since `kvRevision` was read. */
  remove(userId: string, name: string, kvRevision: number): Promise<void>;
  names(userId: string): Promise<string[]>;
  putToken(hash: string, entry: WebhookTokenEntry): Promise<void>;
  removeToken(hash: string): Promise<void>;
}

async function conflictOnRace<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isWrongLastSequence(err)) throw new ConflictError(message, { cause: err });
    throw err;
  }
}

export function createTriggerStore(kv: KV, tokens: KV): TriggerStore {
  const encode = (trigger: TriggerDefinition): string => JSON.stringify(trigger);
  return {
    async create(trigger) {
      await conflictOnRace(() => kv.create(triggerKey(trigger.userId, trigger.name), encode(trigger)), `trigger ${trigger.name} already exists`);
    },
    async get(userId, name) {
      const entry = await retryPassing(() => kv.get(triggerKey(userId, name)));
      if (!entry || entry.operation !== 'PUT') return undefined;
      return { trigger: entry.json<TriggerDefinition>(), kvRevision: entry.revision };
    },
    async update(trigger, kvRevision) {
      const key = triggerKey(trigger.userId, trigger.name);
      await conflictOnRace(() => kv.update(key, encode(trigger), kvRevision), `trigger ${trigger.name} was changed meanwhile`);
    },
    async remove(userId, name, kvRevision) {
      await conflictOnRace(() => kv.delete(triggerKey(userId, name), { previousSeq: kvRevision }), `trigger ${name} was changed meanwhile`);
    },
    async names(userId) {
      const prefix = `${userId}.`;
      return retryPassing(async () => {
        const names: string[] = [];
        for await (const key of await kv.keys(`${prefix}>`)) if (key.startsWith(prefix)) names.push(key.slice(prefix.length));
        return names;
      });
    },
    async putToken(hash, entry) {
      await tokens.put(hash, JSON.stringify(entry));
    },
    // Purge: a rotated token must not stay readable in the bucket's history.
    removeToken: async (hash) => {
      await tokens.purge(hash);
    },
  };
}
