import { buildHandlerImage } from '../../testing/dist/src/process-images.js';
import { publishSync, type ColdTarget } from './cold.js';
import { rawArm } from './runtime-raw.js';
import { call } from './http-client.js';
import { BENCH_LABEL } from './engine.js';
import { fmtMs, fmtRatio, summarize, type Summary } from './stats.js';
import type { Row } from './report.js';
import { syncLoop } from './warm.js';

/** Section 8: Node and Python handlers in process mode vs the same images exec'd per run vs busybox echo. */
export const RUNTIME_ARMS = ['echo', 'nodeExec', 'nodeProcess', 'pythonExec', 'pythonProcess'] as const;
const PROCESS_ARMS = ['nodeProcess', 'pythonProcess'] as const;
export type RuntimeArm = (typeof RUNTIME_ARMS)[number];

/**
 * Upper-cases its event, as the measurement did; the bench sends upper-case arguments, so
 * result = argument. Called over HTTP (a payload 2.0 event), it upper-cases the request's body.
 */
const HANDLER = "exports.handler = async (event) => String(event?.version === '2.0' ? event.body : event).toUpperCase();\n";
const PY_HANDLER = "def handler(event, context):\n    return str(event).upper()\n";

/** The images section 8 builds (the bench removes them at the end). */
export const runtimeImages = (runId: string): { node: string; python: string } => ({ node: `faas-bench/node-upper:${runId}`, python: `faas-bench/python-upper:${runId}` });

/** The process-mode arm is also an HTTP function (private: the bench's token): its URL. */
export const httpUrlOf = (t: ColdTarget, username: string): string => `${t.baseUrl}/publisher/fn/${username}/${t.functionName}/`;

export interface RuntimeFigures {
  readonly latency: Record<RuntimeArm, number[]>;
  /** The same rounds straight over the supervisor (no platform): echo exec'd, Node in process mode. */
  readonly raw: { readonly echo: number[]; readonly nodeProcess: number[] };
  readonly throughput: Record<RuntimeArm, { readonly concurrency: number; readonly executions: number; readonly perSec: number; readonly latency: number[] }>;
  /** The process-mode function called as an HTTP function, in the same rounds as its publishes. */
  readonly http: number[];
}

/** Builds the Node and Python images and registers their functions (exec and process) beside the existing warm echo. */
export async function runtimeTargets(echo: ColdTarget, runId: string): Promise<Record<RuntimeArm, ColdTarget>> {
  const images = runtimeImages(runId);
  await buildHandlerImage('node', images.node, HANDLER, `${BENCH_LABEL}=${runId}`);
  await buildHandlerImage('python', images.python, PY_HANDLER, `${BENCH_LABEL}=${runId}`);
  const make = async (name: string, image: string, runtime: 'exec' | 'process'): Promise<ColdTarget> => {
    const created = await call(`${echo.baseUrl}/registry/functions`, { token: echo.token, body: { name, image, runtime, ...(runtime === 'process' ? { http: true } : {}) } });
    if (created.status !== 201) throw new Error(`function create answered ${created.status}: ${JSON.stringify(created.body)}`);
    return { ...echo, functionName: name, image };
  };
  return {
    echo,
    nodeExec: await make(`node-exec-${runId}`, images.node, 'exec'),
    nodeProcess: await make(`node-process-${runId}`, images.node, 'process'),
    pythonExec: await make(`python-exec-${runId}`, images.python, 'exec'),
    pythonProcess: await make(`python-process-${runId}`, images.python, 'process'),
  };
}


/** Interleaved sequential rounds (one execution per arm per round), then each arm's throughput in turn. */
export async function runtimeSection(
  targets: Record<RuntimeArm, ColdTarget>,
  opts: { readonly n: number; readonly warmup: number; readonly concurrency: number; readonly total: number; readonly supervisor: Buffer; readonly httpUrl: string },
  say: (line: string) => void,
): Promise<RuntimeFigures> {
  const latency = Object.fromEntries(RUNTIME_ARMS.map((arm) => [arm, [] as number[]])) as Record<RuntimeArm, number[]>;
  const raw = { echo: [] as number[], nodeProcess: [] as number[] };
  const http: number[] = [];
  const rawEcho = await rawArm(targets.echo.image, targets.echo.runId, opts.supervisor, 'exec');
  const rawNode = await rawArm(targets.nodeProcess.image, targets.echo.runId, opts.supervisor, 'process');
  try {
    for (let i = 0; i < opts.warmup + opts.n; i++) {
      const keep = i >= opts.warmup;
      for (const arm of RUNTIME_ARMS) {
        const sample = await publishSync(targets[arm], `R${i}-ABC`);
        if (keep) latency[arm].push(sample.e2eMs);
      }
      // The process-mode function again, as an HTTP function: the body is its event's body.
      const argument = `R${i}-HTTP`;
      const viaHttp = await call<string>(opts.httpUrl, { token: targets.nodeProcess.token, body: argument });
      if (viaHttp.status !== 200 || viaHttp.body !== argument) throw new Error(`HTTP function answered ${viaHttp.status}: ${JSON.stringify(viaHttp.body)}`);
      if (keep) http.push(viaHttp.ms);
      const echoMs = await rawEcho.run(`R${i}-RAW`);
      const nodeMs = await rawNode.run(`R${i}-RAW`);
      if (keep) { raw.echo.push(echoMs); raw.nodeProcess.push(nodeMs); }
    }
  } finally {
    await Promise.all([rawEcho.close(), rawNode.close()]);
  }
  const throughput = {} as RuntimeFigures['throughput'];
  for (const arm of RUNTIME_ARMS) {
    // Exec'd Node and Python pay the interpreter's start each run: a quarter of the executions keeps the section short.
    const total = arm === 'nodeExec' || arm === 'pythonExec' ? Math.max(opts.concurrency, Math.floor(opts.total / 4)) : opts.total;
    say(`   ${arm}: ${total} executions at concurrency ${opts.concurrency}`);
    await syncLoop(targets[arm], opts.concurrency, opts.concurrency * 2, `WARMUP-${arm.toUpperCase()}`, []);
    const samples: number[] = [];
    const perSec = await syncLoop(targets[arm], opts.concurrency, total, `TP-${arm.toUpperCase()}`, samples);
    throughput[arm] = { concurrency: opts.concurrency, executions: total, perSec, latency: samples };
  }
  return { latency, raw, throughput, http };
}

const dist = (s: Summary): string => `p50 ${fmtMs(s.p50)} · p99 ${fmtMs(s.p99)} ms`;
const verdict = (ok: boolean): 'yes' | 'no' => (ok ? 'yes' : 'no');
const LABELS: Record<RuntimeArm, string> = {
  echo: 'busybox `echo`, warm (exec mode)',
  nodeExec: 'Node handler, warm container, exec\'d per run (`"runtime": "exec"`)',
  nodeProcess: 'Node handler, process mode (`"runtime": "process"`)',
  pythonExec: 'Python handler, warm container, exec\'d per run (`"runtime": "exec"`)',
  pythonProcess: 'Python handler, process mode (`"runtime": "process"`)',
};
const isProcessArm = (arm: RuntimeArm): boolean => (PROCESS_ARMS as readonly RuntimeArm[]).includes(arm);

export function runtimeRows(f: RuntimeFigures): Row[] {
  const lat = Object.fromEntries(RUNTIME_ARMS.map((a) => [a, summarize(f.latency[a])])) as Record<RuntimeArm, Summary>;
  const rows: Row[] = RUNTIME_ARMS.map((arm) => ({
    section: '8 runtime',
    figure: `${LABELS[arm]}, sequential (${lat[arm].n} rounds, interleaved)`,
    value: dist(lat[arm]),
    target: isProcessArm(arm) ? 'p99 ≤ 25 ms' : '',
    met: isProcessArm(arm) ? verdict(lat[arm].p99 <= 25) : '',
  }));
  const http = summarize(f.http);
  rows.push({
    section: '8 runtime (HTTP)',
    figure: `the process-mode function as an HTTP function (POST /publisher/fn/…, private) · the same function through POST /publisher/publish, same rounds (${http.n})`,
    value: `${dist(http)} · ${dist(lat.nodeProcess)} (p50 ${fmtRatio(http.p50 / lat.nodeProcess.p50)})`,
    target: '',
    met: '',
  });
  const rawEcho = summarize(f.raw.echo);
  const rawNode = summarize(f.raw.nodeProcess);
  rows.push({ section: '8 runtime (supervisor)', figure: 'straight over the supervisor, no platform: busybox echo exec\'d · Node handler in process mode', value: `${dist(rawEcho)} · ${dist(rawNode)}`, target: '', met: '' });
  for (const [name, proc, exec] of [['Node', 'nodeProcess', 'nodeExec'], ['Python', 'pythonProcess', 'pythonExec']] as const) {
    const ratio = lat[proc].p50 / lat.echo.p50;
    rows.push({ section: '8 runtime', figure: `p50 ${name} process mode / busybox echo`, value: `${fmtRatio(ratio)} (${name} exec'd / echo: ${fmtRatio(lat[exec].p50 / lat.echo.p50)})`, target: '≤ 1.30x', met: verdict(ratio <= 1.3) });
  }
  for (const arm of RUNTIME_ARMS) {
    const tp = f.throughput[arm];
    const s = summarize(tp.latency);
    rows.push({
      section: '8 runtime throughput',
      figure: `${LABELS[arm]}, concurrency ${tp.concurrency} (${tp.executions} executions)`,
      value: `${tp.perSec.toFixed(0)}/s · ${dist(s)}`,
      target: isProcessArm(arm) ? '≥ 300/s' : '',
      met: isProcessArm(arm) ? verdict(tp.perSec >= 300) : '',
    });
  }
  return rows;
}
