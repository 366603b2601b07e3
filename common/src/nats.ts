import { connect, type NatsConnection } from 'nats';
import type { Logger } from './logger.js';

/**
 * pingTimer comes every ping interval and reconnecting every 250 ms of an outage: noise at info.
 * A lost or stale link is a warning; a reconnect, a cluster update or lame-duck mode is news.
 */
const STATUS_LEVELS: Readonly<Record<string, 'trace' | 'debug' | 'info' | 'warn'>> = Object.freeze({
  pingTimer: 'trace',
  reconnecting: 'debug',
  disconnect: 'warn',
  staleConnection: 'warn',
  error: 'warn',
});

function statusLevel(type: string): 'trace' | 'debug' | 'info' | 'warn' {
  return STATUS_LEVELS[type] ?? 'info';
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
}): Promise<NatsConnection> {
  const nc = await connect({
    servers: [...options.servers],
    name: options.name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: options.pingIntervalMs ?? 5_000,
    maxPingOut: 2,
  });
  void (async () => {
    for await (const status of nc.status()) {
      options.logger[statusLevel(status.type)]({ nats: status.type, data: String(status.data) }, 'nats status');
    }
  })();
  options.logger.info({ server: nc.getServer() }, 'nats connected');
  return nc;
}
