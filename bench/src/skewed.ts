import { docker, BENCH_LABEL } from './engine.js';
import { summarize, type Summary } from './stats.js';
import { driveTenants, poolCounters, type PoolCounters, type Tenant } from './tenants.js';

export interface SkewedResult {
  readonly functions: number;
  readonly hot: number;
  readonly hotShare: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly executions: number;
  readonly perSec: number;
  readonly latency: Summary;
  readonly hitRate: number;

  readonly pool: PoolCounters;
  /** Warm containers alive (busy or idle), sampled every 2 s: mean and max. */
  readonly warmAlive: { readonly mean: number; readonly max: number };
}

/** A seeded generator (mulberry32): the same sequence of calls every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function warmContainers(runId: string): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${BENCH_LABEL}=${runId}`, 'faas.warm=true'] } });
  return list.length;
}

/**
 * Many functions, few of them hot: each call goes to one of the `hot` first functions with
 * probability `hotShare`, else to one of the rest, for `seconds`, from `concurrency` clients.
 */
export async function skewedLoad(
  baseUrl: string,
  tenants: readonly Tenant[],
  opts: { hot: number; hotShare: number; concurrency: number; seconds: number; runId: string },
): Promise<SkewedResult> {
  const random = seeded(26);
  const hot = tenants.slice(0, opts.hot);
  const rare = tenants.slice(opts.hot);
  const pick = (): Tenant => {
    const from = random() < opts.hotShare ? hot : rare;
    return from[Math.floor(random() * from.length)] as Tenant;
  };
  const samples: number[] = [];
  const sampler = setInterval(() => void warmContainers(opts.runId).then((n) => samples.push(n), () => undefined), 2_000);
  const before = await poolCounters(baseUrl);
  const end = Date.now() + opts.seconds * 1000;
  try {
    const run = await driveTenants(baseUrl, tenants, { concurrency: opts.concurrency, until: () => Date.now() >= end, pick });
    const after = await poolCounters(baseUrl);
    const hits = after.hits - before.hits;
    const cold = after.coldStarts - before.coldStarts;
    return {
      functions: tenants.length,
      hot: opts.hot,
      hotShare: opts.hotShare,
      concurrency: opts.concurrency,
      seconds: run.seconds,
      executions: run.done,
      perSec: run.done / run.seconds,
      latency: summarize(run.latency),
      hitRate: hits / (hits + cold),
      pool: {
        hits,
        coldStarts: cold,
        evictions: after.evictions - before.evictions,
        startsAfterEviction: after.startsAfterEviction - before.startsAfterEviction,
        waitsServed: after.waitsServed - before.waitsServed,
      },
      warmAlive: { mean: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length), max: Math.max(0, ...samples) },
    };
  } finally {
    clearInterval(sampler);
  }
}
