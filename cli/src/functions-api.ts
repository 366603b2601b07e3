import type { ApiClient } from './api.js';
import type { Deployed } from './deploy-plan.js';

export interface FunctionView extends Deployed {
  readonly image: string;
  readonly description: string;
  readonly updatedAt: string;
}

/** Every function of the caller, following `nextCursor` through the pages. */
export async function listAllFunctions(api: ApiClient): Promise<FunctionView[]> {
  const all: FunctionView[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.call<{ items: FunctionView[]; nextCursor: string | null }>('/registry/functions', { query: { limit: 200, cursor } });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

export const functionPath = (name: string): string => `/registry/functions/${encodeURIComponent(name)}`;

/** An HTTP function's address on this gateway (docs/http-functions.md); undefined for other functions. */
export function functionUrl(gateway: string, fn: Readonly<Record<string, unknown>>): string | undefined {
  if (fn.http !== true || typeof fn.owner !== 'string' || typeof fn.name !== 'string') return undefined;
  return `${gateway.replace(/\/+$/, '')}/publisher/fn/${fn.owner}/${fn.name}/`;
}
