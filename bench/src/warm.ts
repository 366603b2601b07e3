import { closedLoop } from './throughput.js';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../common/dist/src/index.js';
import { supervisorVolume } from '../../spawner-service/dist/src/infra/warm/supervisor-volume.js';
import { WarmContainer } from '../../spawner-service/dist/src/infra/warm/warm-container.js';
import { warmKey, warmSpec } from '../../spawner-service/dist/src/infra/warm/warm-spec.js';
import { containerSpec } from '../../spawner-service/dist/src/infra/container-spec.js';
import { publishSync, type ColdTarget, type PlatformSample } from './cold.js';
import { benchSandbox, docker } from './engine.js';
import { elapsedMs } from './stats.js';

export interface WarmResults {
  readonly warm: PlatformSample[];
  readonly cold: PlatformSample[];
  readonly dockerExec: number[];
  readonly supervisor: number[];
}

const LIMITS = { timeoutMs: 60_000, memoryMb: 256, cpus: 0.5, network: 'none' as const };
const job = (image: string, runId: string) => ({ executionId: `bench-${runId}`, userId: 'bench', functionName: 'echo', image, argument: '', env: {}, limits: LIMITS });

/** A sandboxed container idling in `sleep`, for a `docker exec` per run: the engine's own reuse path. */
async function execArm(image: string, runId: string): Promise<{ run(arg: string): Promise<number>; close(): Promise<void> }> {
  const spec = containerSpec(job(image, runId), benchSandbox(runId), `bench-${runId}`);
  const container = await docker.createContainer({ ...spec, Entrypoint: ['/bin/sleep'], Cmd: ['3600'] });
  await container.start();
  return {
    async run(arg) {
      const started = process.hrtime.bigint();
      const exec = await container.exec({ Cmd: ['/bin/sh', '/fn.sh', arg], AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      docker.modem.demuxStream(stream, out, new PassThrough().resume());
      await Promise.race([once(stream, 'end'), once(stream, 'close')]);
      const info = await exec.inspect();
      const ms = elapsedMs(started);
      if (info.ExitCode !== 0 || Buffer.concat(chunks).toString() !== arg) throw new Error(`docker exec printed ${Buffer.concat(chunks).toString()}`);
      return ms;
    },
    close: () => container.remove({ force: true }),
  };
}

/** `n` sync executions from `concurrency` clients in a closed loop; their latencies go to `latency`; returns executions/s. */
export function syncLoop(t: ColdTarget, concurrency: number, n: number, tag: string, latency: number[]): Promise<number> {
  return closedLoop(concurrency, n, async (i) => void latency.push((await publishSync(t, `${tag}-${i}`)).e2eMs));
}

/** One warm container driven directly over its supervisor: the floor of a warm run. */
async function supervisorArm(image: string, runId: string, binary: Buffer): Promise<{ run(arg: string): Promise<number>; close(): Promise<void> }> {
  const logger = createLogger('bench', 'silent');
  const volume = supervisorVolume(docker, binary, logger);
  const sandbox = benchSandbox(runId);
  const j = job(image, runId);
  const spec = warmSpec({ job: j, key: warmKey(j, sandbox), entrypoint: ['/bin/sh', '/fn.sh'], cmd: [], volume: volume.name, volumes: [], idleExitMs: 600_000 }, sandbox, `bench-${runId}`);
  await volume.ensure(spec.Labels ?? {});
  const warm = await WarmContainer.start(docker, spec, logger);
  return {
    async run(arg) {
      const started = process.hrtime.bigint();
      const answer = await warm.run({ timeoutMs: 60_000, stdoutCapBytes: 1 << 20, stderrCapBytes: 1 << 20, argument: arg, env: {} }, 62_000);
      const ms = elapsedMs(started);
      if (answer.stdout.toString() !== arg) throw new Error(`supervisor printed ${answer.stdout.toString()}`);
      return ms;
    },
    close: () => warm.dispose(),
  };
}

/**
 * Section 6, one execution per arm per round, the order rotating: the platform with a warm
 * function, the platform with an always-fresh one, a raw `docker exec` into a running container,
 * and a raw supervisor round trip. Warm-up rounds (which also start the warm containers) are not kept.
 */
export async function warmLatency(
  targets: { warm: ColdTarget; cold: ColdTarget },
  supervisorBinary: Buffer,
  rounds: { n: number; warmup: number },
): Promise<WarmResults> {
  const { image, runId } = targets.warm;
  const exec = await execArm(image, runId);
  const sup = await supervisorArm(image, runId, supervisorBinary);
  const results: WarmResults = { warm: [], cold: [], dockerExec: [], supervisor: [] };
  const keep = <T>(list: T[], on: boolean) => (value: T): void => void (on && list.push(value));
  const arms: Array<(arg: string, on: boolean) => Promise<void>> = [
    async (arg, on) => keep(results.warm, on)(await publishSync(targets.warm, arg)),
    async (arg, on) => keep(results.cold, on)(await publishSync(targets.cold, arg)),
    async (arg, on) => keep(results.dockerExec, on)(await exec.run(arg)),
    async (arg, on) => keep(results.supervisor, on)(await sup.run(arg)),
  ];
  try {
    for (let i = 0; i < rounds.warmup + rounds.n; i++) {
      for (let k = 0; k < arms.length; k++) {
        const arm = (i + k) % arms.length;
        // The cold arm is 50x slower: every fourth round, so the section stays short.
        if (arm === 1 && i % 4 !== 0) continue;
        await arms[arm]?.(`warm-${i}-${k}`, i >= rounds.warmup);
      }
    }
  } finally {
    await exec.close().catch(() => undefined);
    await sup.close();
  }
  return results;
}

export interface WarmThroughput {
  readonly concurrency: number;
  readonly executions: number;
  readonly perSec: number;
  readonly latency: number[];
  /** CPU ms per execution: the platform process and nats-server. */
  readonly cpuPerExecution: { readonly platform: number; readonly nats: number };
  /** NATS messages per execution, into the server from its clients and out of it to them. */
  readonly natsMessagesPerExecution: { readonly in: number; readonly out: number };
}

/** Sync publishes of the warm function by `concurrency` clients, after a burst that fills the pool. */
export async function warmThroughput(
  t: ColdTarget,
  concurrency: number,
  total: number,
  cpu: { platform: () => number; nats: () => number; natsMessages: () => Promise<{ in: number; out: number }> },
): Promise<WarmThroughput> {
  const burst = (n: number, tag: string, latency: number[]): Promise<number> => syncLoop(t, concurrency, n, tag, latency);
  await burst(concurrency * 4, 'tp-warmup', []);
  const latency: number[] = [];
  const cpu0 = { platform: cpu.platform(), nats: cpu.nats() };
  const msgs0 = await cpu.natsMessages();
  const perSec = await burst(total, 'tp-warm', latency);
  const msgs1 = await cpu.natsMessages();
  return {
    natsMessagesPerExecution: { in: (msgs1.in - msgs0.in) / total, out: (msgs1.out - msgs0.out) / total },
    concurrency,
    executions: total,
    perSec,
    latency,
    cpuPerExecution: { platform: (cpu.platform() - cpu0.platform) / total, nats: (cpu.nats() - cpu0.nats) / total },
  };
}
