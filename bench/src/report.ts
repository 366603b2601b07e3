import type { ColdResults } from './cold.js';
import type { HttpLoadResult } from './http-load.js';
import { fmtMs, fmtRatio, summarize, type Summary } from './stats.js';
import type { LevelResult } from './throughput.js';
import type { WarmResults, WarmThroughput } from './warm.js';

export interface Figures {
  readonly cold: ColdResults;
  readonly levels: readonly LevelResult[];
  readonly http: readonly HttpLoadResult[];
  readonly memory: { readonly freshMiB: number; readonly idleMiB: number; readonly peakMiB: number; readonly afterMiB: number; readonly natsMiB: number };
  readonly warm: WarmResults & { readonly throughput: WarmThroughput; readonly hitRate: number };
}

export interface Row {
  readonly section: string;
  readonly figure: string;
  readonly value: string;
  readonly target: string;
  readonly met: '' | 'yes' | 'no';
}

const dist = (s: Summary): string => `min ${fmtMs(s.min)} · p50 ${fmtMs(s.p50)} · p90 ${fmtMs(s.p90)} · p99 ${fmtMs(s.p99)} ms`;
const ms = (iso: string | null): number => (iso ? Date.parse(iso) : Number.NaN);
const verdict = (ok: boolean): 'yes' | 'no' => (ok ? 'yes' : 'no');

/** Every derived figure, also kept in the JSON output. */
export function derive(f: Figures) {
  const p = f.cold.platform;
  const platform = summarize(p.map((s) => s.e2eMs));
  const dockerRun = summarize(f.cold.dockerRun);
  const dockerRunSandboxed = summarize(f.cold.dockerRunSandboxed);
  const raw = summarize(f.cold.raw.map((r) => r.total));
  const overhead = summarize(p.map((s) => s.e2eMs - (s.record.durationMs ?? Number.NaN)));
  const phases = {
    accept: summarize(p.map((s) => ms(s.record.queuedAt) - s.sentAt)),
    queue: summarize(p.map((s) => ms(s.record.startedAt) - ms(s.record.queuedAt))),
    containerOutsideRun: summarize(p.map((s) => ms(s.record.finishedAt) - ms(s.record.startedAt) - (s.record.durationMs ?? 0))),
    run: summarize(p.map((s) => s.record.durationMs ?? Number.NaN)),
    giveBack: summarize(p.map((s) => s.receivedAt - ms(s.record.finishedAt))),
  };
  const rawPhase = (k: 'create' | 'attach' | 'start' | 'wait' | 'inspect' | 'remove' | 'runMs'): number => summarize(f.cold.raw.map((r) => r[k])).p50;
  const rawPhases = {
    create: rawPhase('create'), attach: rawPhase('attach'), start: rawPhase('start'), wait: rawPhase('wait'),
    inspect: rawPhase('inspect'), remove: rawPhase('remove'), run: rawPhase('runMs'),
  };
  const engineOutsideRun = summarize(f.cold.raw.map((r) => r.total - r.runMs));
  return { platform, dockerRun, dockerRunSandboxed, raw, overhead, phases, rawPhases, engineOutsideRun, coldRatio: platform.p50 / dockerRun.p50 };
}

export function rows(f: Figures): Row[] {
  const d = derive(f);
  const out: Row[] = [
    { section: '1 cold', figure: 'platform `POST /publisher/publish` (sync)', value: dist(d.platform), target: '', met: '' },
    { section: '1 cold', figure: '`docker run --rm` same image and argument', value: dist(d.dockerRun), target: '', met: '' },
    { section: '1 cold', figure: 'ratio of medians platform / `docker run --rm`', value: fmtRatio(d.coldRatio), target: '≤ 0.80x', met: verdict(d.coldRatio <= 0.8) },
    { section: '1 cold (context)', figure: '`docker run --rm` with the platform\'s sandbox flags', value: `${dist(d.dockerRunSandboxed)} (platform/this: ${fmtRatio(d.platform.p50 / d.dockerRunSandboxed.p50)})`, target: '', met: '' },
    { section: '1 cold (context)', figure: 'raw dockerode, the spawner\'s container spec', value: `${dist(d.raw)} (platform/this: ${fmtRatio(d.platform.p50 / d.raw.p50)})`, target: '', met: '' },
    { section: '2 overhead', figure: 'end-to-end − container run time (`durationMs`)', value: `p50 ${fmtMs(d.overhead.p50)} · p99 ${fmtMs(d.overhead.p99)} ms`, target: 'p50 ≤ 5, p99 ≤ 20 ms', met: verdict(d.overhead.p50 <= 5 && d.overhead.p99 <= 20) },
    {
      section: '2 overhead (split, p50)',
      figure: 'accept · queue · container outside run · run · give back',
      value: [d.phases.accept, d.phases.queue, d.phases.containerOutsideRun, d.phases.run, d.phases.giveBack].map((s) => fmtMs(s.p50)).join(' · ') + ' ms',
      target: '', met: '',
    },
    {
      section: '2 overhead (engine)',
      figure: 'raw dockerode: create · attach · start · wait · inspect · remove (p50); total − run',
      value: `${[d.rawPhases.create, d.rawPhases.attach, d.rawPhases.start, d.rawPhases.wait, d.rawPhases.inspect, d.rawPhases.remove].map(fmtMs).join(' · ')} ms; p50 ${fmtMs(d.engineOutsideRun.p50)} ms`,
      target: '', met: '',
    },
    { section: '2 overhead (ours)', figure: 'platform p50 − raw dockerode p50 (same spec)', value: `${fmtMs(d.platform.p50 - d.raw.p50)} ms`, target: '', met: '' },
  ];
  for (const l of f.levels) {
    const ratio = l.platformPerSec / l.rawPerSec;
    out.push({
      section: '3 throughput',
      figure: `concurrency ${l.concurrency} (${l.executions} executions per arm)`,
      value:
        `platform ${l.platformPerSec.toFixed(2)}/s · raw dockerode ${l.rawPerSec.toFixed(2)}/s · ratio ${fmtRatio(ratio)}` +
        ` (p50 per execution ${fmtMs(l.p50.platform)} vs ${fmtMs(l.p50.raw)} ms; platform accept ${fmtMs(l.p50.accept)}, queue ${fmtMs(l.p50.queue)} ms;` +
        ` CPU per execution: platform ${fmtMs(l.cpuPerExecution.platform)} + nats ${fmtMs(l.cpuPerExecution.nats)} + client ${fmtMs(l.cpuPerExecution.platformClient)} ms, raw loop ${fmtMs(l.cpuPerExecution.rawClient)} ms)`,
      target: l.concurrency === 8 ? '≥ 0.90x' : '',
      met: l.concurrency === 8 ? verdict(ratio >= 0.9) : '',
    });
  }
  for (const h of f.http) {
    out.push({ section: '4 auth/registry', figure: h.name, value: `${h.perSec.toFixed(0)} req/s · p50 ${fmtMs(h.latency.p50)} · p99 ${fmtMs(h.latency.p99)} ms`, target: '', met: '' });
  }
  const m = f.memory;
  out.push({ section: '5 memory', figure: 'platform process RSS: fresh · idle (after the cold runs) · peak under throughput · after section 4', value: `${m.freshMiB.toFixed(0)} · ${m.idleMiB.toFixed(0)} · ${m.peakMiB.toFixed(0)} · ${m.afterMiB.toFixed(0)} MiB`, target: '', met: '' });
  out.push(...warmRows(f.warm));
  out.push({ section: '5 memory (context)', figure: 'nats-server RSS at the end', value: `${m.natsMiB.toFixed(0)} MiB`, target: '', met: '' });
  return out;
}

export function warmRows(w: Figures['warm']): Row[] {
  const warm = summarize(w.warm.map((s) => s.e2eMs));
  const cold = summarize(w.cold.map((s) => s.e2eMs));
  const exec = summarize(w.dockerExec);
  const sup = summarize(w.supervisor);
  const tp = w.throughput;
  const tpLat = summarize(tp.latency);
  const split = [
    w.warm.map((s) => ms(s.record.queuedAt) - s.sentAt),
    w.warm.map((s) => ms(s.record.startedAt) - ms(s.record.queuedAt)),
    w.warm.map((s) => s.record.durationMs ?? Number.NaN),
    w.warm.map((s) => s.receivedAt - ms(s.record.finishedAt)),
  ].map((list) => fmtMs(summarize(list).p50));
  return [
    { section: '6 warm', figure: 'platform `POST /publisher/publish` (sync), warm function', value: dist(warm), target: 'p50 ≤ 10, p99 ≤ 25 ms', met: verdict(warm.p50 <= 10 && warm.p99 <= 25) },
    { section: '6 warm', figure: 'the same platform, a function with `"warm": false` (every 4th round)', value: `${dist(cold)} (warm/cold: ${fmtRatio(warm.p50 / cold.p50)})`, target: '', met: '' },
    { section: '6 warm (engine)', figure: '`docker exec` into a running sandboxed container (dockerode)', value: dist(exec), target: '', met: '' },
    { section: '6 warm (engine)', figure: 'raw supervisor round trip (one warm container, no platform)', value: `${dist(sup)} (platform − this, p50: ${fmtMs(warm.p50 - sup.p50)} ms)`, target: '', met: '' },
    { section: '6 warm (split, p50)', figure: 'accept · queue · run · give back', value: `${split.join(' · ')} ms`, target: '', met: '' },
    {
      section: '6 warm throughput',
      figure: `concurrency ${tp.concurrency} (${tp.executions} executions)`,
      value: `${tp.perSec.toFixed(0)}/s · p50 ${fmtMs(tpLat.p50)} · p99 ${fmtMs(tpLat.p99)} ms; CPU per execution: platform ${fmtMs(tp.cpuPerExecution.platform)} + nats ${fmtMs(tp.cpuPerExecution.nats)} ms; NATS messages per execution: ${tp.natsMessagesPerExecution.in.toFixed(1)} in, ${tp.natsMessagesPerExecution.out.toFixed(1)} out`,
      target: '≥ 200/s',
      met: verdict(tp.perSec >= 200),
    },
    { section: '6 warm', figure: 'warm hit rate over section 6 (runs that reused an idle container)', value: `${(w.hitRate * 100).toFixed(1)} %`, target: '', met: '' },
  ];
}

export function markdownTable(list: readonly Row[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = ['| section | figure | value | target | met |', '|---|---|---|---|---|'];
  for (const r of list) lines.push(`| ${esc(r.section)} | ${esc(r.figure)} | ${esc(r.value)} | ${esc(r.target)} | ${r.met} |`);
  return lines.join('\n');
}
