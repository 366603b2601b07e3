import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsServerProcess } from '@faas/common';
import { natsHealthcheck } from '@faas/testing';

/** docker-compose.yml's NATS healthcheck: every 10 s, a task replaced after 3 failures in a row. */
const INTERVAL_MS = 10_000;
const RETRIES = 3;

export interface NatsSupervision {
  /** Each replacement: the server and the script's last words. */
  readonly restarts: readonly string[];
  stop(): Promise<void>;
}

/**
 * Swarm's part for proof servers: runs the stack's own NATS healthcheck (nats-health.sh) on the
 * compose file's interval, and replaces a server after RETRIES failures in a row, as Swarm
 * replaces an unhealthy task (same store: the task's volume). The stop is SIGQUIT, not Swarm's
 * SIGTERM: Go then writes every goroutine's stack to the log (FAAS_NATS_LOG_DIR), the evidence of
 * where nats-server's meta log was stuck.
 */
export function superviseNats(servers: readonly NatsServerProcess[]): NatsSupervision {
  const dir = mkdtempSync(join(tmpdir(), 'faas-proof-nats-health-'));
  const restarts: string[] = [];
  const failures = servers.map(() => 0);
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const round = async (): Promise<void> => {
    for (const [i, server] of servers.entries()) {
      if (stopped || !server.running) continue;
      const state = join(dir, server.options.serverName);
      const { code, said } = await natsHealthcheck(server.options.monitorPort!, state);
      failures[i] = code === 0 ? 0 : failures[i]! + 1;
      if (failures[i]! < RETRIES || stopped) continue;
      failures[i] = 0;
      restarts.push(`${server.options.serverName} (${said || 'healthcheck failed'})`);
      await server.stop('SIGQUIT');
      rmSync(state, { force: true });
      await server.start();
    }
  };
  const timer = setInterval(() => {
    busy = busy.then(round, round);
  }, INTERVAL_MS);
  return {
    restarts,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy.catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
