import { call } from './http-client.js';
import { elapsedMs, summarize, type Summary } from './stats.js';

/** One user's function: what a tenant calls. */
export interface Tenant {
  readonly token: string;
  readonly functionName: string;
}

/** The in-process spawner's pool counters, from the platform's /metrics. */
export interface PoolCounters {
  readonly hits: number;
  readonly coldStarts: number;
  readonly evictions: number;
  readonly startsAfterEviction: number;
  readonly waitsServed: number;
}

export async function poolCounters(baseUrl: string): Promise<PoolCounters> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const read = (series: string): number => {
    const escaped = series.replace(/[{}"=]/g, (c) => `\\${c}`);
    return Number(new RegExp(`^${escaped} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
  };
  return {
    hits: read('faas_spawner_warm_starts_total{kind="hit"}'),
    coldStarts: read('faas_spawner_warm_starts_total{kind="new"}'),
    evictions: read('faas_spawner_warm_evictions_total'),
    startsAfterEviction: read('faas_spawner_warm_starts_after_eviction_total'),
    waitsServed: read('faas_spawner_warm_waits_total{outcome="served"}'),
  };
}

export interface TenantLoadResult {
  readonly label: string;
  readonly users: number;
  readonly functions: number;
  readonly concurrency: number;
  readonly executions: number;
  readonly perSec: number;
  readonly latency: Summary;
  readonly hitRate: number;
  readonly pool: PoolCounters;
}

const delta = (a: PoolCounters, b: PoolCounters): PoolCounters => ({
  hits: b.hits - a.hits,
  coldStarts: b.coldStarts - a.coldStarts,
  evictions: b.evictions - a.evictions,
  startsAfterEviction: b.startsAfterEviction - a.startsAfterEviction,
  waitsServed: b.waitsServed - a.waitsServed,
});

type Answer = { status?: string; result?: string; statusUrl?: string };

/** Past the sync wait (202), a client polls the status URL: so does the bench, and the time counts. */
async function untilFinal(baseUrl: string, t: Tenant, first: Answer): Promise<Answer> {
  const deadline = Date.now() + 300_000;
  let record = first;
  while (record.status === 'queued' || record.status === 'running') {
    if (Date.now() > deadline || !first.statusUrl) throw new Error(`no result: ${JSON.stringify(first)}`);
    await new Promise((r) => setTimeout(r, 200));
    record = (await call<Answer>(`${baseUrl}${first.statusUrl}`, { token: t.token })).body;
  }
  return record;
}

async function publish(baseUrl: string, t: Tenant, argument: string): Promise<number> {
  const started = Date.now();
  const reply = await call<Answer>(`${baseUrl}/publisher/publish`, { token: t.token, body: { name: t.functionName, argument } });
  const record = reply.status === 202 ? await untilFinal(baseUrl, t, reply.body) : reply.body;
  if ((reply.status !== 200 && reply.status !== 202) || record.status !== 'succeeded' || record.result !== argument) {
    throw new Error(`publish answered ${reply.status}: ${JSON.stringify(record)}`);
  }
  return reply.status === 200 ? reply.ms : Date.now() - started;
}

/**
 * `concurrency` clients, each bound to its own tenants, so no user has more in flight than its
 * share (ceil(concurrency / users)): the per-user quota (10 by default) is never what limits.
 * `pick` chooses a client's next tenant among its own; the default cycles through them.
 */
export async function driveTenants(
  baseUrl: string,
  tenants: readonly Tenant[],
  opts: { concurrency: number; until: () => boolean; pick?: (own: readonly Tenant[], i: number) => Tenant },
): Promise<{ done: number; latency: number[]; seconds: number }> {
  const started = process.hrtime.bigint();
  const latency: number[] = [];
  const ownOf = (w: number): Tenant[] =>
    opts.concurrency >= tenants.length ? [tenants[w % tenants.length] as Tenant] : tenants.filter((_, i) => i % opts.concurrency === w);
  const worker = async (w: number): Promise<void> => {
    const own = ownOf(w);
    for (let i = 0; !opts.until(); i++) {
      const tenant = opts.pick ? opts.pick(own, i) : (own[i % own.length] as Tenant);
      latency.push(await publish(baseUrl, tenant, `t-${w}-${i}`));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  return { done: latency.length, latency, seconds: elapsedMs(started) / 1000 };
}

/** A warm-up burst (not recorded: it starts the containers), then `executions` measured runs. */
export async function tenantLoad(
  baseUrl: string,
  tenants: readonly Tenant[],
  opts: { label: string; users: number; concurrency: number; executions: number; warmup: number },
): Promise<TenantLoadResult> {
  let issued = 0;
  const upTo = (n: number) => (): boolean => issued++ >= n;
  await driveTenants(baseUrl, tenants, { concurrency: opts.concurrency, until: upTo(opts.warmup) });
  const before = await poolCounters(baseUrl);
  issued = 0;
  const run = await driveTenants(baseUrl, tenants, { concurrency: opts.concurrency, until: upTo(opts.executions) });
  const pool = delta(before, await poolCounters(baseUrl));
  return {
    label: opts.label,
    users: opts.users,
    functions: tenants.length,
    concurrency: opts.concurrency,
    executions: run.done,
    perSec: run.done / run.seconds,
    latency: summarize(run.latency),
    hitRate: pool.hits / (pool.hits + pool.coldStarts),
    pool,
  };
}
