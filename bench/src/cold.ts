import { call } from './http-client.js';
import { dockerRunRm, rawDockerodeRun, type RawPhases } from './engine.js';

export interface ExecutionRecord {
  readonly id: string;
  readonly status: string;
  readonly result: string | null;
  readonly durationMs: number | null;
  readonly queuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface PlatformSample {
  readonly e2eMs: number;
  /** Client send and receive, wall clock (ms), to line up with the record's timestamps. */
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly record: ExecutionRecord;
}

export interface ColdTarget {
  readonly baseUrl: string;
  readonly token: string;
  readonly functionName: string;
  readonly image: string;
  readonly runId: string;
}

export async function publishSync(t: ColdTarget, argument: string): Promise<PlatformSample> {
  const sentAt = Date.now();
  const reply = await call<ExecutionRecord>(`${t.baseUrl}/publisher/publish`, { token: t.token, body: { name: t.functionName, argument } });
  const receivedAt = Date.now();
  if (reply.status !== 200 || reply.body.status !== 'succeeded' || reply.body.result !== argument) {
    throw new Error(`publish answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  }
  return { e2eMs: reply.ms, sentAt, receivedAt, record: reply.body };
}

export interface ColdResults {
  readonly platform: PlatformSample[];
  readonly dockerRun: number[];
  /** `docker run --rm` with the platform's sandbox flags (no network, limits, read-only root). */
  readonly dockerRunSandboxed: number[];
  readonly raw: RawPhases[];
}

/** The platform's sandbox as `docker run` flags, for a like-for-like CLI baseline. */
export const SANDBOX_FLAGS = Object.freeze([
  '--network', 'none', '--memory', '256m', '--memory-swap', '256m', '--cpus', '0.5', '--pids-limit', '64',
  '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only', '--tmpfs', '/tmp:rw,nosuid,nodev,noexec,size=16m', '--log-driver', 'none',
]);

/**
 * One execution per arm per round, the arms' order rotating each round (A B C D, B C D A, ...),
 * so drift in the engine's load spreads evenly over them. Warm-up rounds are not recorded.
 */
export async function coldLatency(t: ColdTarget, rounds: number, warmup: number, progress: (i: number) => void): Promise<ColdResults> {
  const results: ColdResults = { platform: [], dockerRun: [], dockerRunSandboxed: [], raw: [] };
  const arms: Array<(arg: string, record: boolean) => Promise<void>> = [
    async (arg, rec) => {
      const s = await publishSync(t, arg);
      if (rec) results.platform.push(s);
    },
    async (arg, rec) => {
      const r = await dockerRunRm(t.image, arg, t.runId);
      if (r.stdout !== arg) throw new Error(`docker run printed ${JSON.stringify(r.stdout)}`);
      if (rec) results.dockerRun.push(r.ms);
    },
    async (arg, rec) => {
      const r = await dockerRunRm(t.image, arg, t.runId, SANDBOX_FLAGS);
      if (r.stdout !== arg) throw new Error(`docker run (sandboxed) printed ${JSON.stringify(r.stdout)}`);
      if (rec) results.dockerRunSandboxed.push(r.ms);
    },
    async (arg, rec) => {
      const r = await rawDockerodeRun(t.image, arg, t.runId);
      if (r.stdout !== arg) throw new Error(`raw run printed ${JSON.stringify(r.stdout)}`);
      if (rec) results.raw.push(r);
    },
  ];
  for (let i = 0; i < warmup + rounds; i++) {
    const record = i >= warmup;
    for (let k = 0; k < arms.length; k++) {
      const arm = arms[(i + k) % arms.length];
      await arm?.(`cold-${i}-${k}`, record);
    }
    if (record) progress(i - warmup + 1);
  }
  return results;
}
