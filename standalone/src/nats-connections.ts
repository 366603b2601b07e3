import { join } from 'node:path';
import { connectNats, readSecretFile, type Env, type Logger, type NatsAuth } from '@faas/common';
import type { NatsConnection } from 'nats';

/** The NATS users of standalone's parts (the autoscaler is a stack-only service). */
const PARTS = ['auth', 'registry', 'publisher', 'spawner'] as const;
type Part = (typeof PARTS)[number];

export type ServiceConnections = Readonly<Record<Part, NatsConnection>>;

/**
 * One NATS connection per part, each as its own user (`NATS_CREDENTIALS_DIR/<service>` holds its
 * password), so standalone mode runs with the stack's permissions (docs/internal-trust.md).
 * Without that directory the parts share one connection as NATS_USER, or without credentials.
 */
export async function connectServices(env: Env, servers: readonly string[], shared: NatsAuth | undefined, logger: Logger): Promise<ServiceConnections> {
  const dir = env.NATS_CREDENTIALS_DIR;
  if (!dir) {
    const nc = await connectNats({ servers, name: 'standalone', logger, auth: shared });
    return Object.fromEntries(PARTS.map((s) => [s, nc])) as Record<Part, NatsConnection>;
  }
  const connections: Partial<Record<Part, NatsConnection>> = {};
  try {
    for (const service of PARTS) {
      const auth = { user: service, password: readSecretFile(join(dir, service)) };
      connections[service] = await connectNats({ servers, name: `standalone-${service}`, logger: logger.child({ component: service }), auth });
    }
  } catch (err) {
    await closeAll(Object.values(connections));
    throw err;
  }
  return connections as Record<Part, NatsConnection>;
}

/** Each distinct connection once (the shared one appears under every name). */
export function distinct(connections: ServiceConnections): NatsConnection[] {
  return [...new Set(Object.values(connections))];
}

export async function closeAll(connections: readonly NatsConnection[]): Promise<void> {
  await Promise.all(connections.map((nc) => nc.close()));
}
