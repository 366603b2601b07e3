/**
 * Prints how long an echo execution takes in the spawner (publish to result message) and what
 * the Docker phases cost. Needs nats-server on PATH and a local Docker engine:
 * `node spawner-service/dist/bench/echo-latency.js [runs]`.
 */
import { performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import { SUBJECTS, connectNats, createLogger, type ExecutionRecord } from '@faas/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTION_SCRIPTS, NatsServerProcess, buildFunctionImage, freePort, uniqueName } from '@faas/testing';
import { loadSpawnerConfig } from '../src/config.js';
import { resolveLimits } from '../src/domain/limits.js';
import { containerSpec } from '../src/infra/container-spec.js';
import { startSpawner } from '../src/spawner.js';

const runs = Number(process.argv[2] ?? 20);
const image = await buildFunctionImage('faas-test-sp-echo:latest', FUNCTION_SCRIPTS.echo);
const docker = new Docker();
const storeDir = mkdtempSync(join(tmpdir(), 'faas-bench-'));
const server = new NatsServerProcess({ port: await freePort(), storeDir, serverName: 'bench' });
await server.start();
const logger = createLogger('bench', process.env.BENCH_LOG_LEVEL ?? 'silent');
const config = loadSpawnerConfig({ NATS_URL: server.url, NATS_REPLICAS: '1', MAX_CONTAINERS: '1', CONTAINER_LABELS: 'faas.test=1' });
const nc = await connectNats({ servers: config.natsUrls, name: 'bench', logger });
const spawner = await startSpawner({ nc, config, logger, docker });

const summary = (name: string, values: number[]): void => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): string => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1);
  process.stdout.write(`${name.padEnd(28)} p50 ${at(0.5).padStart(7)} ms   p95 ${at(0.95).padStart(7)} ms   max ${at(1).padStart(7)} ms\n`);
};

async function endToEnd(): Promise<number> {
  const id = uniqueName('bench');
  const sub = nc.subscribe(SUBJECTS.result(id), { max: 1 });
  const started = performance.now();
  const limits = { timeoutSeconds: 10, memoryMb: 64, cpus: 0.5, network: 'none' as const };
  const request = { id, userId: 'bench', function: 'echo', image, argument: 'hi', env: {}, limits, queuedAt: new Date().toISOString() };
  await nc.jetstream().publish(SUBJECTS.exec('bench'), JSON.stringify(request), { msgID: id });
  for await (const msg of sub) if (msg.json<ExecutionRecord>().status !== 'succeeded') throw new Error('echo failed');
  return performance.now() - started;
}

async function phases(): Promise<Record<string, number>> {
  const job = { executionId: uniqueName('bench'), userId: 'bench', functionName: 'echo', image, argument: 'hi', env: {}, limits: resolveLimits({}, config.sandbox) };
  const t: number[] = [performance.now()];
  const container = await docker.createContainer(containerSpec(job, config.sandbox, 'bench'));
  t.push(performance.now());
  await container.start();
  t.push(performance.now());
  await container.wait();
  t.push(performance.now());
  await container.remove({ force: true });
  t.push(performance.now());
  const d = (i: number): number => (t[i + 1] ?? 0) - (t[i] ?? 0);
  return { create: d(0), start: d(1), wait: d(2), remove: d(3) };
}

const e2e: number[] = [];
for (let i = 0; i < runs; i++) e2e.push(await endToEnd());
const phaseRuns: Array<Record<string, number>> = [];
for (let i = 0; i < runs; i++) phaseRuns.push(await phases());
process.stdout.write(`echo executions: ${runs} sequential, one spawner, 1-node NATS, local image\n`);
summary('publish -> result message', e2e);
for (const phase of ['create', 'start', 'wait', 'remove']) summary(`docker ${phase}`, phaseRuns.map((p) => p[phase] ?? 0));
await spawner.stop();
await nc.drain();
await server.stop();
rmSync(storeDir, { recursive: true, force: true });
