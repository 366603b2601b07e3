// Steady sync + async load for bin/e2e-multinode.sh, through every node's edge, by clients that
// retry as the README asks (mn-client.mjs). Runs until the file STOP exists, then waits for
// every accepted execution to be final and writes the counts to OUT as JSON. PROGRESS gets
// "<accepted> <sync answered> <counters>" every second, for the script to pace the node kills.
// The function prints "<argument>:<uuid of the run>": a run's result names the run.
// Env: EDGES (comma-separated base URLs), TOKEN, FN, OUT, PROGRESS, STOP,
// SYNC_CLIENTS (2), ASYNC_CLIENTS (3), FINAL_WAIT_S (240).
import { existsSync, writeFileSync } from 'node:fs';
import { edgeClient, pause } from './mn-client.mjs';

const env = process.env;
const FINAL = new Set(['succeeded', 'failed', 'timed_out', 'error']);
const c = { fiveXx: {}, refused: 0, hung: 0, retried: 0, gaveUp: 0, resubmitted: 0, throttled: 0 };
const call = edgeClient({ edges: env.EDGES.split(','), token: env.TOKEN, counts: c });
const accepted = new Map(); // id -> { arg, syncResult? }
let syncAnswered = 0;
const stopped = () => existsSync(env.STOP);

async function syncClient(k) {
  for (let i = 0; !stopped(); i++) {
    const arg = `s${k}-${i}`;
    const { status, json, tries } = await call('POST', '/publisher/publish', { name: env.FN, argument: arg });
    if (tries > 0) c.resubmitted++;
    const id = json.id ?? json.executionId;
    if (!id) continue;
    accepted.set(id, { arg, syncResult: status === 200 ? json.result : undefined });
    syncAnswered++;
  }
}

async function asyncClient(k) {
  for (let i = 0; !stopped(); i++) {
    const arg = `a${k}-${i}`;
    const { json, tries } = await call('POST', '/publisher/executions', { name: env.FN, argument: arg });
    if (tries > 0) c.resubmitted++;
    if (!json.executionId) continue;
    accepted.set(json.executionId, { arg });
    // At most one of its own in flight: the load stays under the user's concurrency quota.
    for (const until = Date.now() + 120_000; Date.now() < until && !stopped(); await pause(200)) {
      const read = await call('GET', `/publisher/executions/${json.executionId}`);
      if (FINAL.has(read.json.status)) break;
    }
  }
}

async function finals() {
  const deadline = Date.now() + Number(env.FINAL_WAIT_S ?? 240) * 1000;
  const records = new Map();
  while (Date.now() < deadline) {
    for (const id of accepted.keys()) {
      if (records.has(id)) continue;
      const { status, json } = await call('GET', `/publisher/executions/${id}`);
      if (status === 200 && FINAL.has(json.status)) records.set(id, json);
    }
    if (records.size === accepted.size) break;
    await pause(1000);
  }
  return records;
}

function summary(records) {
  const rows = [...accepted].map(([id, a]) => ({ id, a, r: records.get(id) }));
  const statuses = {};
  for (const { r } of rows) if (r) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return {
    submitted: accepted.size,
    final: records.size,
    lost: accepted.size - records.size,
    statuses,
    // A sync answer and the stored record naming two different runs: two final results.
    duplicateFinals: rows.filter(({ a, r }) => r && a.syncResult !== undefined && a.syncResult !== r.result).length,
    wrongOutput: rows.filter(({ a, r }) => r?.status === 'succeeded' && !String(r.result).startsWith(`${a.arg}:`)).length,
    redelivered: rows.filter(({ r }) => (r?.attempt ?? 0) > 1).length,
    // Runs whose record says a dead spawner's lease was taken over (a second start on purpose).
    rerun: rows.filter(({ r }) => r?.rerun).length,
    spawners: new Set(rows.map(({ r }) => r?.spawner).filter(Boolean)).size,
    ...c,
  };
}

const fiveXx = () => Object.values(c.fiveXx).reduce((a, b) => a + b, 0);
const progress = setInterval(() => writeFileSync(env.PROGRESS, `${accepted.size} ${syncAnswered} 5xx=${fiveXx()} refused=${c.refused} 429=${c.throttled} retried=${c.retried}\n`), 1000);
const clients = [
  ...Array.from({ length: Number(env.SYNC_CLIENTS ?? 2) }, (_, k) => syncClient(k)),
  ...Array.from({ length: Number(env.ASYNC_CLIENTS ?? 3) }, (_, k) => asyncClient(k)),
];
await Promise.all(clients);
clearInterval(progress);
const out = summary(await finals());
writeFileSync(env.OUT, JSON.stringify(out, null, 1));
process.stdout.write(`${JSON.stringify(out)}\n`);
