import { execFile } from 'node:child_process';

const script = new URL('../../../nats-health.sh', import.meta.url).pathname;

/**
 * One run of the stack's NATS healthcheck (nats-health.sh, as docker-compose.yml runs it) against
 * a server's monitoring port, its "behind since" kept in `state`: the exit code and what it said.
 * Killed after 5 s, as Docker kills a check past the compose file's `timeout: 5s` (a failure).
 */
export function natsHealthcheck(monitorPort: number, state: string): Promise<{ code: number; said: string }> {
  const env = { PATH: process.env.PATH ?? '', NATS_MONITOR_URL: `http://127.0.0.1:${monitorPort}`, NATS_HEALTH_STATE: state };
  return new Promise((resolve) => {
    execFile('sh', [script], { env, timeout: 5_000 }, (err, stdout) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, said: stdout.trim() });
    });
  });
}
