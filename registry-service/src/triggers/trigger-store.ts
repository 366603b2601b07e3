import type { KeyLister, TriggerDefinition, WebhookTokenEntry } from '@faas/common';
import type { KV } from 'nats';
import { userEntries } from '../functions/user-entries.js';

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

export function createTriggerStore(kv: KV, tokens: KV, listKeys: KeyLister): TriggerStore {
  const entries = userEntries<TriggerDefinition>(kv, 'trigger', listKeys);
  return {
    create: (trigger) => entries.create(trigger.userId, trigger.name, trigger),
    async get(userId, name) {
      const stored = await entries.get(userId, name);
      return stored && { trigger: stored.value, kvRevision: stored.kvRevision };
    },
    update: (trigger, kvRevision) => entries.update(trigger.userId, trigger.name, trigger, kvRevision),
    remove: (userId, name, kvRevision) => entries.remove(userId, name, kvRevision),
    names: (userId) => entries.names(userId),
    async putToken(hash, entry) {
      await tokens.put(hash, JSON.stringify(entry));
    },
    // Purge: a rotated token must not stay readable in the bucket's history.
    removeToken: async (hash) => {
      await tokens.purge(hash);
    },
  };
}
