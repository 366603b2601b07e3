// The warm locality figures of one case of bin/lib/mn-warm.mjs: node mn-warm-report.mjs LOAD
// STARTS ALIVE LABEL. LOAD: mn-warm.mjs's output; STARTS: the spawners' "warm run started" log
// lines (JSON, debug level); ALIVE: one line per warm container running at the end, its
// function's name. Prints one row: runs, hit rate, containers that served a function (per
// function), containers alive at the end; in the many-function case, for the 5 hottest and the
// others apart. Function <name>-f<i> has Zipf rank i + 1.
import { readFileSync } from 'node:fs';

const [loadFile, startsFile, aliveFile, label] = process.argv.slice(2);
const load = JSON.parse(readFileSync(loadFile, 'utf8'));
const starts = new Map();
for (const line of readFileSync(startsFile, 'utf8').split('\n')) {
  const m = /\{.*\}/.exec(line);
  if (!m) continue;
  const o = JSON.parse(m[0]);
  if (o.executionId && load.runs[o.executionId]) starts.set(o.executionId, o);
}
const alive = readFileSync(aliveFile, 'utf8').split('\n').filter(Boolean);
const rank = (name) => Number(/-f(\d+)$/.exec(name)?.[1] ?? 0);

function figures(keep) {
  const fns = new Set(Object.values(load.runs).filter(keep));
  const ids = Object.keys(load.runs).filter((id) => keep(load.runs[id]));
  const seen = ids.map((id) => starts.get(id)).filter(Boolean);
  const containers = new Map();
  for (const s of seen) {
    const fn = load.runs[s.executionId];
    if (!containers.has(fn)) containers.set(fn, new Set());
    containers.get(fn).add(s.containerId);
  }
  const served = [...containers.values()].map((c) => c.size);
  const aliveHere = alive.filter((n) => fns.has(n)).length;
  const hits = seen.filter((s) => s.reused).length;
  return {
    functions: fns.size,
    runs: ids.length,
    hit: seen.length ? `${((100 * hits) / seen.length).toFixed(1)}%` : 'n/a',
    served: served.length ? `${(served.reduce((a, b) => a + b, 0) / served.length).toFixed(1)} (max ${Math.max(...served)})` : 'n/a',
    alive: `${aliveHere} (${(aliveHere / Math.max(1, fns.size)).toFixed(1)} per function)`,
    unmatched: ids.length - seen.length,
  };
}

const rows = new Set(Object.values(load.runs)).size > 5
  ? [[`${label}, all`, () => true], [`${label}, 5 hottest`, (n) => rank(n) < 5], [`${label}, the others`, (n) => rank(n) >= 5]]
  : [[label, () => true]];
for (const [name, keep] of rows) {
  const f = figures(keep);
  process.stdout.write(`${[name, f.functions, f.runs, f.hit, f.served, f.alive, `${load.failed} failed, ${f.unmatched} without a start line, ${load.seconds} s, 429s ${load.counts.throttled}, 5xx ${JSON.stringify(load.counts.fiveXx)}`].join('|')}\n`);
}
