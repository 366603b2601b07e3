import type { BenchConfig } from './config.js';
import { call } from './http-client.js';
import type { PlatformProcess } from './platform-process.js';
import type { Row } from './report.js';
import { skewedLoad, type SkewedResult } from './skewed.js';
import { fmtMs } from './stats.js';
import { tenantLoad, type Tenant, type TenantLoadResult } from './tenants.js';

export interface TenantsOptions {
  readonly baseUrl: string;
  readonly image: string;
  readonly runId: string;
  /** Measured executions per load (after its warm-up). */
  readonly executions: number;
  readonly skewSeconds: number;
  readonly newUser: (baseUrl: string) => Promise<{ token: string }>;
  readonly say: (line: string) => void;
}

/** Section 9 on a platform of its own, started on the defaults (so after any other platform stopped). */
export async function tenantsOnDefaults(
  cfg: BenchConfig,
  start: () => Promise<PlatformProcess>,
  o: Pick<TenantsOptions, 'runId' | 'image' | 'newUser' | 'say'>,
): Promise<TenantsFigures> {
  const platform = await start();
  o.say(`9. many tenants, on the default settings (platform pid ${platform.pid}): 1, 2, 5 and 20 users, ${cfg.tenantN} executions per load`);
  return tenantsSection({ ...o, baseUrl: platform.baseUrl, executions: cfg.tenantN, skewSeconds: cfg.skewSeconds });
}

export interface TenantsFigures {
  readonly loads: readonly TenantLoadResult[];
  readonly skewed: SkewedResult;
}

async function createFunction(baseUrl: string, token: string, name: string, image: string): Promise<void> {
  const created = await call(`${baseUrl}/registry/functions`, { token, body: { name, image } });
  if (created.status !== 201) throw new Error(`function create answered ${created.status}`);
}

/** `users` users (one warm echo function each); the first ten also get five more for the skewed load. */
async function makeTenants(o: TenantsOptions, users: number): Promise<{ single: Tenant[]; skewed: Tenant[] }> {
  const single: Tenant[] = [];
  const skewed: Tenant[] = [];
  for (let u = 0; u < users; u++) {
    const { token } = await o.newUser(o.baseUrl);
    const own = `tenant-${o.runId}`;
    await createFunction(o.baseUrl, token, own, o.image);
    single.push({ token, functionName: own });
    for (let f = 0; u < 10 && f < 5; f++) {
      const name = `skew-${f}-${o.runId}`;
      await createFunction(o.baseUrl, token, name, o.image);
      skewed.push({ token, functionName: name });
    }
  }
  return { single, skewed };
}

/**
 * Section 8, on the platform's default settings: one user against 2, 5 and 20 users with one
 * function each, at concurrency 8 and 16; the 1-user and 5-user loads at 8 alternate twice, so
 * drift hits both. Then the skewed load.
 */
export async function tenantsSection(o: TenantsOptions): Promise<TenantsFigures> {
  const { single, skewed } = await makeTenants(o, 20);
  const plan: Array<[number, number]> = [[1, 8], [5, 8], [1, 8], [5, 8], [2, 8], [20, 8], [2, 16], [5, 16], [20, 16]];
  const loads: TenantLoadResult[] = [];
  for (const [users, concurrency] of plan) {
    o.say(`   ${users} user(s) at concurrency ${concurrency}`);
    const tenants = single.slice(0, users);
    loads.push(await tenantLoad(o.baseUrl, tenants, { label: `${users}x${concurrency}`, users, concurrency, executions: o.executions, warmup: Math.max(concurrency * 4, users * 3) }));
  }
  o.say(`   skewed: 50 functions, 5 hot (90 % of calls), concurrency 8, ${o.skewSeconds} s`);
  // The hot five are the first function of five users: no one user holds the hot set.
  const hotFirst = skewed.filter((_, i) => i % 5 === 0).concat(skewed.filter((_, i) => i % 5 !== 0));
  const skewedFigures = await skewedLoad(o.baseUrl, hotFirst, { hot: 5, hotShare: 0.9, concurrency: 8, seconds: o.skewSeconds, runId: o.runId });
  return { loads, skewed: skewedFigures };
}

const pct = (r: number): string => `${(r * 100).toFixed(1)} %`;
const verdict = (ok: boolean): 'yes' | 'no' => (ok ? 'yes' : 'no');

/** Throughput of the loads with that shape, all rounds together. */
function combined(loads: readonly TenantLoadResult[], users: number, concurrency: number): { perSec: number; hitRate: number } {
  const of = loads.filter((l) => l.users === users && l.concurrency === concurrency);
  const seconds = of.reduce((s, l) => s + l.executions / l.perSec, 0);
  const executions = of.reduce((s, l) => s + l.executions, 0);
  const hits = of.reduce((s, l) => s + l.pool.hits, 0);
  const cold = of.reduce((s, l) => s + l.pool.coldStarts, 0);
  return { perSec: executions / seconds, hitRate: hits / (hits + cold) };
}

export function tenantsRows(f: TenantsFigures): Row[] {
  const out: Row[] = f.loads.map((l) => ({
    section: '9 many tenants',
    figure: `${l.users} user${l.users > 1 ? 's' : ''} (one function each), concurrency ${l.concurrency}, ${l.executions} executions`,
    value:
      `${l.perSec.toFixed(1)}/s · p50 ${fmtMs(l.latency.p50)} · p99 ${fmtMs(l.latency.p99)} ms · hit rate ${pct(l.hitRate)}` +
      ` · cold starts ${l.pool.coldStarts} (after an eviction ${l.pool.startsAfterEviction}) · evictions ${l.pool.evictions} · waits served ${l.pool.waitsServed}`,
    target: '',
    met: '',
  }));
  const one = combined(f.loads, 1, 8);
  const five = combined(f.loads, 5, 8);
  const ratio = five.perSec / one.perSec;
  out.push({ section: '9 many tenants', figure: '5 users / 1 user at concurrency 8: throughput (both rounds)', value: `${five.perSec.toFixed(1)} / ${one.perSec.toFixed(1)} = ${(ratio * 100).toFixed(0)} %`, target: '≥ 80 %', met: verdict(ratio >= 0.8) });
  out.push({ section: '9 many tenants', figure: '5 users at concurrency 8: hit rate after warm-up', value: pct(five.hitRate), target: '≥ 98 %', met: verdict(five.hitRate >= 0.98) });
  const s = f.skewed;
  out.push({
    section: '9 skewed load',
    figure: `${s.functions} functions, ${s.hot} hot (${(s.hotShare * 100).toFixed(0)} % of calls), concurrency ${s.concurrency}, ${s.seconds.toFixed(0)} s`,
    value:
      `${s.executions} executions, ${s.perSec.toFixed(1)}/s · p50 ${fmtMs(s.latency.p50)} · p99 ${fmtMs(s.latency.p99)} ms · hit rate ${pct(s.hitRate)}` +
      ` · cold starts ${s.pool.coldStarts} · evictions ${s.pool.evictions} · warm containers alive mean ${s.warmAlive.mean.toFixed(1)}, max ${s.warmAlive.max}`,
    target: '',
    met: '',
  });
  return out;
}
