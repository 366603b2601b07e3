// Warm locality load for bin/e2e-multinode.sh (MN_WARM=1; issue 24, item 5): sync runs through
// every node's edge by retrying clients (mn-client.mjs): FUNCTIONS functions (<FN>-f<i>,
// registered here, image IMAGE), RUNS runs whose function is drawn from a Zipf law (exponent
// ZIPF_S; f0 the most frequent): a few hot functions, many cold ones.
// Writes { runs: { <execution id>: <function> }, failed, seconds, counts } to OUT.
// Env: EDGES, TOKEN, FN, IMAGE, RUNS (300), FUNCTIONS (1), ZIPF_S (1), CONCURRENCY (6), OUT.
import { writeFileSync } from 'node:fs';
import { edgeClient } from './mn-client.mjs';

const env = process.env;
const counts = { fiveXx: {}, refused: 0, retried: 0, gaveUp: 0, throttled: 0 };
const call = edgeClient({ edges: env.EDGES.split(','), token: env.TOKEN, counts });
const runs = Number(env.RUNS ?? 300);

async function register(count) {
  const names = Array.from({ length: count }, (_, i) => `${env.FN}-f${i}`);
  for (const name of names) {
    const { status, json } = await call('POST', '/registry/functions', { name, image: env.IMAGE });
    if (status !== 201 && status !== 409) throw new Error(`register ${name}: HTTP ${status} ${JSON.stringify(json)}`);
  }
  return names;
}

/** A draw from Zipf(s) over names (rank 1 the most frequent), by the cumulative weights. */
function zipfPicker(names, s) {
  const weights = names.map((_, i) => 1 / (i + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = [];
  weights.reduce((acc, w) => (cumulative.push((acc + w) / total), acc + w), 0);
  return () => {
    const r = Math.random();
    return names[cumulative.findIndex((c) => r < c)] ?? names[names.length - 1];
  };
}

const names = await register(Number(env.FUNCTIONS ?? 1));
const pick = zipfPicker(names, Number(env.ZIPF_S ?? 1));
const started = Date.now();
const byId = {};
let next = 0;
let failed = 0;
async function client() {
  while (next < runs) {
    const i = next++;
    const name = pick();
    const { status, json } = await call('POST', '/publisher/publish', { name, argument: `w${i}` });
    const id = json.id ?? json.executionId;
    if (status === 200 && json.status === 'succeeded' && id) byId[id] = name;
    else failed++;
  }
}
await Promise.all(Array.from({ length: Number(env.CONCURRENCY ?? 6) }, client));
const out = { runs: byId, failed, seconds: Math.round((Date.now() - started) / 1000), counts };
writeFileSync(env.OUT, JSON.stringify(out));
process.stdout.write(`${Object.keys(byId).length} runs, ${failed} failed, ${out.seconds} s\n`);
