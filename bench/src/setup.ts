import { LOOPBACK_EXEMPT } from '@faas/testing';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from './config.js';
import { BENCH_LABEL } from './engine.js';
import { call } from './http-client.js';
import type { Nats } from './platform-process.js';

/** What every section needs around the platform: users, its counters, its environment, the machine. */
export async function newUser(baseUrl: string): Promise<{ username: string; password: string; token: string }> {
  const username = `bench-${randomBytes(4).toString('hex')}`;
  const password = 'bench-password-1';
  const reg = await call(`${baseUrl}/auth/register`, { body: { username, password } });
  if (reg.status !== 201) throw new Error(`register answered ${reg.status}: ${JSON.stringify(reg.body)}`);
  const login = await call<{ token: string }>(`${baseUrl}/auth/login`, { body: { username, password } });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  return { username, password, token: login.body.token };
}

/** The in-process spawner's warm-start counters, from the platform's /metrics. */
export async function warmStarts(baseUrl: string): Promise<{ hit: number; new: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const read = (kind: string): number => Number(new RegExp(`^faas_spawner_warm_starts_total\\{kind="${kind}"\\} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
  return { hit: read('hit'), new: read('new') };
}

export function machine(): string {
  const engine = execFileSync('docker', ['version', '--format', '{{.Server.Version}}']).toString().trim();
  const nats = execFileSync('nats-server', ['--version']).toString().trim();
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, docker ${engine}, ${nats}, node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z`;
}

/** The platform's environment: the bench's own slots and quota (`tuned`), or every default (section 8). */
export function platformEnv(nats: Nats, dir: string, runId: string, tuned: BenchConfig | undefined): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    NATS_URL: nats.url,
    NATS_REPLICAS: '1',
    FAAS_DATA_DIR: join(dir, tuned ? 'data' : 'data-defaults'),
    LOG_LEVEL: 'silent',
    // Every bench client is this machine: keep it out of the address limits (none by default).
    ...LOOPBACK_EXEMPT,
    SPAWNER_ID: `bench-${runId}${tuned ? '' : '-defaults'}`,
    CONTAINER_LABELS: `${BENCH_LABEL}=${runId}`,
    ...(tuned ? { MAX_CONTAINERS: String(tuned.maxContainers), MAX_CONCURRENT_PER_USER: String(tuned.maxContainers * 2) } : {}),
    // The bcrypt pool's settings pass through, to measure them (section 7).
    ...Object.fromEntries(['BCRYPT_THREADS', 'BCRYPT_NICE'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
  };
}

