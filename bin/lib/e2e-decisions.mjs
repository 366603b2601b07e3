// Reads the autoscaler's JSON log (docker service logs --raw) on stdin and prints its decisions
// from a moment on, one line each. Figures for bin/lib/e2e-autoscale.sh go to the file named by
// the second argument as KEY=VALUE lines:
//   node e2e-decisions.mjs <since epoch ms> <figures file> [min replicas]
import { readFileSync, writeFileSync } from 'node:fs';

const since = Number(process.argv[2]);
const out = process.argv[3];
const min = Number(process.argv[4] ?? 1);
const decisions = readFileSync(0, 'utf8')
  .split('\n')
  .map((line) => { try { return JSON.parse(line.slice(line.indexOf('{'))); } catch { return undefined; } })
  .filter((e) => e && e.msg === 'autoscale decision' && e.time >= since)
  .sort((a, b) => a.check - b.check);

for (const { time, check, inputs: i, spawners: s, decision: d } of decisions) {
  const t = `+${((time - since) / 1000).toFixed(1)}s`.padStart(8);
  process.stdout.write(`    ${t} check ${String(check).padStart(3)}  ${d.action.padEnd(4)} ${d.from} -> ${d.to}  ${d.reason.padEnd(13)} ` +
    `pending ${i.pending} ackPending ${i.ackPending} busy ${i.busy} (${s.answered} of ${s.answered + s.unreachable} answered) slots ${i.slotsPerSpawner} utilisation ${d.utilisation} target ${d.target} floor ${d.floor}\n`);
}
const firstUp = decisions.findIndex((e) => e.decision.action === 'up');
const up = decisions[firstUp];
const peak = Math.max(0, ...decisions.map((e) => e.decision.to));
const backAtMin = up ? decisions.find((e) => e.check > up.check && e.decision.action === 'down' && e.decision.to === min) : undefined;
writeFileSync(out, [
  `UP_CHECKS=${up ? firstUp + 1 : 0}`,
  `UP_MS=${up ? up.time - since : -1}`,
  `UP_FROM=${up ? up.decision.from : 0}`,
  `UP_TO=${up ? up.decision.to : 0}`,
  `PEAK=${peak}`,
  `DOWN_MS=${backAtMin ? backAtMin.time - since : -1}`,
  `DECISIONS=${decisions.length}`,
].join('\n') + '\n');
