import { connect, type NatsConnection } from 'nats';
import type { Logger } from './logger.js';
import { natsInboxPrefix } from './nats-permissions.js';

/**
 * pingTimer comes every ping interval and reconnecting every 250 ms of an outage: noise at info.
 * A lost or stale link and the reconnect that ends it are warnings; a cluster update or lame-duck mode is news.
 */
const STATUS_LEVELS: Readonly<Record<string, 'trace' | 'debug' | 'info' | 'warn'>> = Object.freeze({
  pingTimer: 'trace',
  reconnecting: 'debug',
  disconnect: 'warn',
  // Where a lost link went: at the level of the loss, so a stack logging warnings tells both.
  reconnect: 'warn',
  staleConnection: 'warn',
  error: 'warn',
});

function statusLevel(type: string): 'trace' | 'debug' | 'info' | 'warn' {
  return STATUS_LEVELS[type] ?? 'info';
}

/** The options a connection was made with: nats.js keeps them on the connection, but its type does not say so. */
export function connectionOptions(nc: NatsConnection): { readonly user?: string; readonly inboxPrefix?: string } {
  return (nc as unknown as { options?: { user?: string; inboxPrefix?: string } }).options ?? {};
}

/** A user of the platform's NATS authorization (common/src/nats-permissions.ts) and its password. */
export interface NatsAuth {
  readonly user: string;
  readonly password: string;
}

/**
 * Connects to a list of servers and keeps reconnecting forever: a service outlives NATS
 * restarts and node loss. The first connect also waits, so start order does not matter.
 */
export async function connectNats(options: {
  servers: readonly string[];
  name: string;
  logger: Logger;
  /** How often the client pings the server (default 5 s); two unanswered pings mean a dead link. */
  pingIntervalMs?: number;
  /** Absent: no credentials (a server without authorization, or the test harness's fixture user). */
  auth?: NatsAuth | undefined;
}): Promise<NatsConnection> {
  const { auth } = options;
  const nc = await connect({
    servers: [...options.servers],
    name: options.name,
    // Replies come to the user's own inbox prefix, the only one its permissions let it read.
    ...(auth ? { user: auth.user, pass: auth.password, inboxPrefix: natsInboxPrefix(auth.user) } : {}),
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: options.pingIntervalMs ?? 5_000,
    maxPingOut: 2,
    // Else every request captures a stack (an Error and a NatsError built ahead for its timeout):
    // 5 % of the platform's CPU per warm execution in a profile of bench section 6. A timeout's
    // message still names what timed out.
    noAsyncTraces: true,
  });
  void (async () => {
    for await (const status of nc.status()) {
      options.logger[statusLevel(status.type)]({ nats: status.type, data: String(status.data) }, 'nats status');
    }
  })();
  options.logger.info({ server: nc.getServer(), user: auth?.user ?? null }, 'nats connected');
  return nc;
}
