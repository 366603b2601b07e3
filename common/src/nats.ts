import { connect, type NatsConnection } from 'nats';
import type { Logger } from './logger.js';

/**
 * Connects to a list of servers and keeps reconnecting forever: a service outlives NATS
 * restarts and node loss. The first connect also waits, so start order does not matter.
 */
export async function connectNats(options: { servers: readonly string[]; name: string; logger: Logger }): Promise<NatsConnection> {
  const nc = await connect({
    servers: [...options.servers],
    name: options.name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: 5_000,
    maxPingOut: 2,
  });
  void (async () => {
    for await (const status of nc.status()) {
      options.logger.info({ nats: status.type, data: String(status.data) }, 'nats status');
    }
  })();
  options.logger.info({ server: nc.getServer() }, 'nats connected');
  return nc;
}
