import { retryPassing, type FunctionDefinition } from '@faas/common';
import type { KV } from 'nats';
import type { FunctionCache } from '../function-cache.js';

/** Finds the HTTP function a route `<owner>/<name>` names, whoever asks. */
export interface HttpTargets {
  /** From the function watch: no I/O. */
  cached(owner: string, name: string): FunctionDefinition | undefined;
  /**
   * From the bucket: the keys of every user's function of that name, then their definitions. For a
   * function the watch has not delivered yet (created moments ago) or while it is down.
   */
  scan(owner: string, name: string): Promise<FunctionDefinition | undefined>;
}

const isRoute = (fn: FunctionDefinition, owner: string, name: string): boolean =>
  fn.http === true && fn.name === name && fn.owner?.toLowerCase() === owner.toLowerCase();

export function createHttpTargets(cache: Pick<FunctionCache, 'httpFunction'>, functionsKv: KV): HttpTargets {
  return {
    cached: (owner, name) => cache.httpFunction(owner, name),
    async scan(owner, name) {
      const keys = await retryPassing(async () => {
        const found: string[] = [];
        // Keys are `<userId>.<name>`; a name has no dot, so `*.<name>` matches that name only.
        for await (const key of await functionsKv.keys(`*.${name}`)) found.push(key);
        return found;
      });
      for (const key of keys) {
        const entry = await retryPassing(() => functionsKv.get(key));
        if (!entry || entry.operation !== 'PUT') continue;
        const fn = entry.json<FunctionDefinition>();
        if (isRoute(fn, owner, name)) return fn;
      }
      return undefined;
    },
  };
}
