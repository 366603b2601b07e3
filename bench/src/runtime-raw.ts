import { createLogger } from '../../common/dist/src/index.js';
import { supervisorVolume } from '../../spawner-service/dist/src/infra/warm/supervisor-volume.js';
import { WarmContainer } from '../../spawner-service/dist/src/infra/warm/warm-container.js';
import { eventOf, resultOf } from '../../spawner-service/dist/src/infra/warm/process-mode.js';
import { warmKey, warmSpec } from '../../spawner-service/dist/src/infra/warm/warm-spec.js';
import { benchSandbox, docker } from './engine.js';
import { elapsedMs } from './stats.js';

const LIMITS = { timeoutMs: 60_000, memoryMb: 256, cpus: 0.5, network: 'none' as const };

export interface RawArm {
  run(arg: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * One warm container driven directly over its supervisor, no platform: the busybox echo exec'd
 * per run, or the Node handler in process mode (a Runtime API round trip). The floor of each arm.
 */
export async function rawArm(image: string, runId: string, binary: Buffer, mode: 'exec' | 'process'): Promise<RawArm> {
  const logger = createLogger('bench', 'silent');
  const volume = supervisorVolume(docker, binary, logger);
  const sandbox = benchSandbox(runId);
  const job = { executionId: `bench-raw-${mode}-${runId}`, userId: 'bench', functionName: `raw-${mode}`, image, argument: '', env: {}, limits: LIMITS, ...(mode === 'process' ? { runtime: 'process' as const } : {}) };
  // The image's own entrypoint, as the spawner runs it (templates/node's bootstrap, or the echo's script).
  const { Config } = await docker.getImage(image).inspect();
  const entrypoint = [...(Config.Entrypoint ?? []), ...(Config.Cmd ?? [])];
  const spec = warmSpec({ job, key: warmKey(job, sandbox), entrypoint, cmd: [], volume: volume.name, volumes: [], idleExitMs: 600_000 }, sandbox, `bench-${runId}`);
  await volume.ensure(spec.Labels ?? {});
  const warm = await WarmContainer.start(docker, spec, logger);
  return {
    async run(arg) {
      const started = process.hrtime.bigint();
      const answer = await warm.run({ timeoutMs: 60_000, stdoutCapBytes: 1 << 20, stderrCapBytes: 1 << 20, argument: mode === 'process' ? eventOf(arg) : arg, env: {} }, 62_000);
      const ms = elapsedMs(started);
      const out = answer.stdout.toString();
      const result = mode === 'process' ? resultOf(out, answer.stdoutTruncated) : out;
      if (result !== arg) throw new Error(`raw ${mode} arm answered ${answer.kind} ${out} ${answer.stderr.toString().slice(0, 300)}`);
      return ms;
    },
    close: () => warm.dispose(),
  };
}
