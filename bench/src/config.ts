/** The bench's knobs, all from the environment, with defaults that finish in a few minutes on 2 cores. */
function int(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return value;
}

export interface BenchConfig {
  /** Recorded rounds of the cold A/B comparison (each arm runs once per round). */
  readonly n: number;
  readonly warmup: number;
  readonly levels: readonly number[];
  /** Executions per throughput level and arm. */
  readonly perLevel: (concurrency: number) => number;
  /** Alternating chunks per throughput level (A B, B A, ...). */
  readonly tpRounds: number;
  readonly httpSeconds: number;
  readonly httpConcurrency: number;
  readonly maxContainers: number;
  /** Recorded rounds of the warm comparison (section 6). */
  readonly warmN: number;
  /** Concurrency and executions of the warm throughput figure. */
  readonly warmConcurrency: number;
  readonly warmTpN: number;
  /** Extra node flags for the platform process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), space-separated. */
  readonly platformNodeArgs: readonly string[];
  /** Another build of the platform to measure (an A/B of a change): its standalone main.js. */
  readonly platformMain: string | undefined;
  /** Where to write the raw figures as JSON, when set. */
  readonly outFile: string | undefined;
  /** `login`: section 7 alone (no image, no executions); `runtime`, `tenants`, `stack`: section 8, 9 or 10 alone; unset: sections 1-9. */
  readonly only: 'warm' | 'login' | 'runtime' | 'tenants' | 'stack' | undefined;
  /** Section 8: recorded sequential rounds (one execution per arm each), and executions per arm at concurrency. */
  readonly runtimeN: number;
  readonly runtimeTpN: number;
  /** Section 10: the stack's per-user request limit (its default 600 a minute answers 429 to this load). */
  readonly stackRateLimit: number;
  /**
   * Section 10: an already deployed stack to measure in place of the process stack (the
   * multi-node e2e's, MN_BENCH=1): its edge's URL and its arm's name.
   */
  readonly stackEdge: { readonly url: string; readonly name: string } | undefined;
  /** An echo image to use as is, neither built nor removed (one the deployed stack's nodes also hold). */
  readonly image: string | undefined;
  /** Section 9: measured executions per load, and the skewed load's length in seconds. */
  readonly tenantN: number;
  readonly skewSeconds: number;
  /** Section 7: seconds of each phase, and the validate probe's rate (requests per second). */
  readonly loginSeconds: number;
  readonly validateRate: number;
}

export function loadBenchConfig(): BenchConfig {
  const levels = (process.env.BENCH_LEVELS ?? '1,4,8,16').split(',').map((s) => Number(s.trim()));
  if (levels.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('BENCH_LEVELS must be comma-separated positive integers');
  const tpMin = int('BENCH_TP_N', 48, 1);
  return Object.freeze({
    n: int('BENCH_N', 40, 1),
    warmup: int('BENCH_WARMUP', 5, 0),
    levels,
    perLevel: (c: number) => Math.max(tpMin, 6 * c),
    tpRounds: int('BENCH_TP_ROUNDS', 4, 1),
    httpSeconds: int('BENCH_HTTP_SECONDS', 3, 1),
    httpConcurrency: int('BENCH_HTTP_CONCURRENCY', 8, 1),
    maxContainers: Math.max(...levels, int('BENCH_WARM_CONCURRENCY', 16, 1)),
    warmN: int('BENCH_WARM_N', 200, 1),
    warmConcurrency: int('BENCH_WARM_CONCURRENCY', 16, 1),
    warmTpN: int('BENCH_WARM_TP_N', 1000, 1),
    platformNodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    platformMain: process.env.BENCH_PLATFORM_MAIN || undefined,
    outFile: process.env.BENCH_OUT || undefined,
    only: onlySection(process.env.BENCH_ONLY),
    loginSeconds: int('BENCH_LOGIN_SECONDS', 8, 1),
    validateRate: int('BENCH_VALIDATE_RATE', 50, 1),
    runtimeN: int('BENCH_RUNTIME_N', 100, 1),
    runtimeTpN: int('BENCH_RUNTIME_TP_N', 600, 1),
    tenantN: int('BENCH_TENANT_N', 400, 1),
    skewSeconds: int('BENCH_SKEW_SECONDS', 60, 1),
    stackRateLimit: int('BENCH_STACK_RATE_LIMIT', 1_000_000, 0),
    stackEdge: stackEdge(process.env.BENCH_STACK_EDGE, process.env.BENCH_STACK_EDGE_NAME),
    image: process.env.BENCH_IMAGE || undefined,
  });
}

const SECTIONS = ['warm', 'login', 'runtime', 'tenants', 'stack'] as const;

function onlySection(raw: string | undefined): (typeof SECTIONS)[number] | undefined {
  if (!raw) return undefined;
  const section = SECTIONS.find((s) => s === raw);
  if (!section) throw new Error(`BENCH_ONLY must be "warm" (section 6), "login" (section 7), "runtime" (8), "tenants" (9), "stack" (10) or unset, got ${raw}`);
  return section;
}

function stackEdge(url: string | undefined, name: string | undefined): BenchConfig['stackEdge'] {
  if (!url) return undefined;
  if (!/^https?:\/\/[^/]+$/.test(url)) throw new Error(`BENCH_STACK_EDGE must be an http(s) origin without a path, got ${url}`);
  return { url, name: name || `deployed stack through its edge (${url})` };
}
