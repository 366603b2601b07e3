import { APPLY_ORDER, resourcePath, type AdminResource, type ResourceKind } from './gateway-config.js';

/** The Admin API as the apply step sees it. */
export interface AdminApi {
  waitUntilReady(): Promise<void>;
  put(path: string, body: unknown): Promise<number>;
}

export interface AppliedResource {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly outcome: 'created' | 'updated';
}

/**
 * PUTs every resource by id, dependencies first (upstreams, consumers, routes), one at a
 * time: a route is only sent once the upstream it names exists. Running it again
 * replaces each resource with the same body, so it is idempotent.
 */
export async function applyGatewayConfig(admin: AdminApi, resources: readonly AdminResource[]): Promise<AppliedResource[]> {
  const ordered = [...resources].sort((a, b) => APPLY_ORDER.indexOf(a.kind) - APPLY_ORDER.indexOf(b.kind));
  const applied: AppliedResource[] = [];
  for (const resource of ordered) {
    const status = await admin.put(resourcePath(resource), resource.body);
    applied.push({ kind: resource.kind, id: resource.id, outcome: status === 201 ? 'created' : 'updated' });
  }
  return applied;
}

/** Counts and ids for the closing log line: no bodies, so no secret. */
export function summarize(applied: readonly AppliedResource[]): Record<string, unknown> {
  const idsOf = (kind: ResourceKind): string[] => applied.filter((a) => a.kind === kind).map((a) => a.id);
  return {
    upstreams: idsOf('upstreams'),
    consumers: idsOf('consumers'),
    routes: idsOf('routes'),
    created: applied.filter((a) => a.outcome === 'created').length,
    updated: applied.filter((a) => a.outcome === 'updated').length,
  };
}
