import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startNatsCluster, waitForPort, type NatsCluster } from '@faas/testing';
import { BENCH_LABEL } from './engine.js';

/**
 * The single-node stack's shape as processes on this machine, for the deployed warm path: a
 * 3-node NATS cluster (3 replicas, the platform's users), auth, registry and publisher each a
 * process of its own, 3 spawners, and the e2e's edge proxy (bin/lib/e2e-edge.mjs) in front.
 * What it leaves out of the swarm: Docker's overlay network and DNS, and the CPU limits.
 */
export interface Stack {
  /** Through the edge, as a client of the stack sees it. */
  readonly edgeUrl: string;
  /** The publisher's own port: the same path without the edge hop. */
  readonly publisherUrl: string;
  readonly authUrl: string;
  readonly registryUrl: string;
  readonly pids: readonly (number | undefined)[];
  stop(): Promise<void>;
}

const SPAWNERS = 3;

function child(command: string, args: readonly string[], env: Record<string, string>): ChildProcess {
  const proc = spawn(command, [...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  proc.on('error', (err) => process.stderr.write(`[bench] ${command} ${args.join(' ')}: ${err.message}\n`));
  return proc;
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers 200 or the deadline passes. */
async function ready(url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms (last status ${status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startStack(o: { repoRoot: string; dir: string; runId: string; extraEnv: Record<string, string> }): Promise<Stack> {
  const cluster: NatsCluster = await startNatsCluster(3, { authorization: 'platform' });
  const procs: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(procs.map(stopChild));
    await cluster.stop();
  };
  try {
    const jwt = join(o.dir, 'stack-jwt');
    const key = join(o.dir, 'stack-secrets-key');
    writeFileSync(jwt, randomBytes(48).toString('base64url'), { mode: 0o600 });
    writeFileSync(key, `stack-1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const common = { NATS_URL: cluster.urls.join(','), NATS_REPLICAS: '3', LOG_LEVEL: 'silent', JWT_SECRET_FILE: jwt, SECRETS_KEY_FILE: key, ...o.extraEnv };
    const as = (user: string): Record<string, string> => ({ NATS_USER: user, NATS_PASSWORD_FILE: join(cluster.credentialsDir, user) });
    const main = (service: string): string => join(o.repoRoot, service, 'dist/src/main.js');
    const [auth, registry, publisher, edge] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    procs.push(child(process.execPath, [main('auth-service')], { ...common, ...as('auth'), PORT: String(auth) }));
    procs.push(child(process.execPath, [main('registry-service')], { ...common, ...as('registry'), PORT: String(registry) }));
    await Promise.all([ready(`http://127.0.0.1:${auth}/auth/ready`), ready(`http://127.0.0.1:${registry}/registry/ready`)]);
    procs.push(child(process.execPath, [main('publisher-service')], { ...common, ...as('publisher'), PORT: String(publisher), REGISTRY_URL: `http://127.0.0.1:${registry}` }));
    for (let i = 0; i < SPAWNERS; i++) {
      const port = await freePort();
      procs.push(child(process.execPath, [main('spawner-service')], { ...common, ...as('spawner'), PORT: String(port), SPAWNER_ID: `bench-${o.runId}-stack-${i}`, CONTAINER_LABELS: `${BENCH_LABEL}=${o.runId}` }));
      await waitForPort(port, 90_000);
    }
    const routes = `auth=127.0.0.1:${auth},registry=127.0.0.1:${registry},publisher=127.0.0.1:${publisher}`;
    procs.push(child(process.execPath, [join(o.repoRoot, 'bin/lib/e2e-edge.mjs')], { EDGE_ROUTES: routes, EDGE_PORT: String(edge), EDGE_HOST: '127.0.0.1' }));
    await Promise.all([ready(`http://127.0.0.1:${publisher}/publisher/ready`), waitForPort(edge, 30_000)]);
    return {
      edgeUrl: `http://127.0.0.1:${edge}`,
      publisherUrl: `http://127.0.0.1:${publisher}`,
      authUrl: `http://127.0.0.1:${auth}`,
      registryUrl: `http://127.0.0.1:${registry}`,
      pids: procs.map((p) => p.pid),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
