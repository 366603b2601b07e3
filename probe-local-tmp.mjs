import { startNatsCluster } from '/work/main/testing/dist/src/index.js';
import { execFileSync } from 'node:child_process';
import { connect } from 'nats';
const cluster = await startNatsCluster(3);
const nc = await connect({ servers: cluster.urls });
const jsm = await nc.jetstreamManager();
for (let i = 0; ; i++) { try { await jsm.streams.add({ name: 'PROBE', subjects: ['probe.>'], num_replicas: 3 }); break; } catch (e) { if (i > 60) throw e; await new Promise(r => setTimeout(r, 500)); } }
await nc.close();
console.log(execFileSync(process.execPath, ['/work/main/probe-tmp.mjs', cluster.urls[0], '', '', 'probe', '300']).toString());
await cluster.stop();
