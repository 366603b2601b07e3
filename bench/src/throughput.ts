import { publishSync, type ColdTarget } from './cold.js';
import { rawDockerodeRun } from './engine.js';
import { elapsedMs, summarize } from './stats.js';

export interface LevelResult {
  readonly concurrency: number;
  readonly executions: number;
  readonly platformPerSec: number;
  readonly rawPerSec: number;
  readonly platformRssMaxMiB: number;
  /** p50 per execution, ms: platform end-to-end, raw end-to-end, and the platform's accept and queue phases. */
  readonly p50: { readonly platform: number; readonly raw: number; readonly accept: number; readonly queue: number };
  /** CPU ms per execution: the platform process and nats-server (platform arm), the bench process (raw arm). */
  readonly cpuPerExecution: { readonly platform: number; readonly nats: number; readonly platformClient: number; readonly rawClient: number };
}

/** CPU meters of the processes that compete with the engine for the machine's cores. */
export interface CpuMeters {
  readonly platform: () => number;
  readonly nats: () => number;
}

const selfCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** `total` jobs shared by `concurrency` workers, each starting the next as soon as its last one ends. */
export async function closedLoop(concurrency: number, total: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < total; i = next++) await job(i);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return total / (elapsedMs(started) / 1000);
}

/** Samples a process's RSS every 100 ms until stopped; returns the largest reading. */
function sampleMax(read: () => number): () => number {
  let max = read();
  const timer = setInterval(() => (max = Math.max(max, read())), 100);
  return () => {
    clearInterval(timer);
    return Math.max(max, read());
  };
}

/**
 * Executions per second through the platform (sync publish) and through a raw dockerode loop doing
 * the same create/attach/start/wait/inspect/remove, at each concurrency, in the same run. Each
 * level runs in `rounds` chunks per arm, alternating A B / B A, so a shift in the engine's load
 * (other work on the machine) hits both arms alike; a rate is executions over the arm's summed time.
 */
export async function throughput(
  t: ColdTarget,
  levels: readonly number[],
  opts: { perLevel: (c: number) => number; rounds: number },
  rss: () => number,
  cpu: CpuMeters,
): Promise<LevelResult[]> {
  const out: LevelResult[] = [];
  for (const c of levels) {
    const chunk = Math.max(c, Math.ceil(opts.perLevel(c) / opts.rounds));
    const platform = { n: 0, seconds: 0 };
    const raw = { n: 0, seconds: 0 };
    let rssMax = Number.NaN;
    const spent = { platform: 0, nats: 0, platformClient: 0, rawClient: 0 };
    const lat = { platform: [] as number[], raw: [] as number[], accept: [] as number[], queue: [] as number[] };
    const platformArm = async (round: number): Promise<void> => {
      const stop = sampleMax(rss);
      const cpu0 = { platform: cpu.platform(), nats: cpu.nats(), self: selfCpuMs() };
      const perSec = await closedLoop(c, chunk, async (i) => {
        const s = await publishSync(t, `tp-${c}-${round}-${i}`);
        lat.platform.push(s.e2eMs);
        lat.accept.push(Date.parse(s.record.queuedAt) - s.sentAt);
        lat.queue.push(Date.parse(s.record.startedAt ?? '') - Date.parse(s.record.queuedAt));
      });
      rssMax = Math.max(Number.isNaN(rssMax) ? 0 : rssMax, stop());
      spent.platform += cpu.platform() - cpu0.platform;
      spent.nats += cpu.nats() - cpu0.nats;
      spent.platformClient += selfCpuMs() - cpu0.self;
      platform.n += chunk;
      platform.seconds += chunk / perSec;
    };
    const rawArm = async (round: number): Promise<void> => {
      const self0 = selfCpuMs();
      const perSec = await closedLoop(c, chunk, async (i) => {
        const arg = `tp-raw-${c}-${round}-${i}`;
        const r = await rawDockerodeRun(t.image, arg, t.runId);
        lat.raw.push(r.total);
        if (r.stdout !== arg) throw new Error(`raw run printed ${JSON.stringify(r.stdout)}`);
      });
      spent.rawClient += selfCpuMs() - self0;
      raw.n += chunk;
      raw.seconds += chunk / perSec;
    };
    for (let round = 0; round < opts.rounds; round++) {
      if (round % 2 === 0) {
        await platformArm(round);
        await rawArm(round);
      } else {
        await rawArm(round);
        await platformArm(round);
      }
    }
    out.push({ concurrency: c, executions: platform.n, platformPerSec: platform.n / platform.seconds, rawPerSec: raw.n / raw.seconds, platformRssMaxMiB: rssMax,
      cpuPerExecution: {
        platform: spent.platform / platform.n,
        nats: spent.nats / platform.n,
        platformClient: spent.platformClient / platform.n,
        rawClient: spent.rawClient / raw.n,
      },
      p50: { platform: summarize(lat.platform).p50, raw: summarize(lat.raw).p50, accept: summarize(lat.accept).p50, queue: summarize(lat.queue).p50 },
    });
  }
  return out;
}
