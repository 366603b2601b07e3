// Times N client round trips (PING/PONG) and N acked R3 stream publishes, one at a time.
import { connect } from 'nats';
const [servers, user, pass, subjectPrefix, n = '200'] = process.argv.slice(2);
const nc = await connect({ servers: servers.split(','), ...(user ? { user, pass, inboxPrefix: `_INBOX_${user}` } : {}) });
const js = nc.jetstream({ timeout: 10_000 });
const pct = (a, p) => a.sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor((p / 100) * a.length))].toFixed(2);
const rtt = [], pub = [];
for (let i = 0; i < Number(n); i++) rtt.push(await nc.rtt());
for (let i = 0; i < Number(n); i++) { const t = performance.now(); await js.publish(`${subjectPrefix}.probe-${process.pid}-${i}.0`, 'x'); pub.push(performance.now() - t); }
console.log(JSON.stringify({ server: nc.getServer(), rtt: { p50: pct(rtt, 50), p99: pct(rtt, 99) }, r3publish: { p50: pct(pub, 50), p99: pct(pub, 99) } }));
await nc.close();
