// Login throughput, and GET /auth/validate latency while logins saturate the service.
// Starts the standalone platform (no spawner) from the given main.js on a free port with its
// own data directory, registers one user, then runs:
//   A. logins only, LOGIN_CONCURRENCY clients for SECONDS;
//   B. the same logins plus VALIDATE_CONCURRENCY clients calling /auth/validate, for SECONDS.
// Usage (after npm run build): node auth-service/bench/login-load.mjs [path/to/standalone/dist/src/main.js]
// Env: SECONDS (10), LOGIN_CONCURRENCY (8), VALIDATE_CONCURRENCY (4), BCRYPT_COST (10), BCRYPT_THREADS.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const mainJs = resolve(process.argv[2] ?? 'standalone/dist/src/main.js');
const seconds = Number(process.env.SECONDS_PER_PHASE ?? process.env.SECONDS ?? 10);
const loginClients = Number(process.env.LOGIN_CONCURRENCY ?? 8);
const validateClients = Number(process.env.VALIDATE_CONCURRENCY ?? 4);
const out = (line) => process.stdout.write(`${line}\n`);

const freePort = () =>
  new Promise((done) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
  });

async function call(url, init) {
  const t0 = process.hrtime.bigint();
  const res = await fetch(url, init);
  const body = await res.json();
  return { status: res.status, body, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

function pct(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function drive(clients, untilMs, request, samples) {
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < untilMs) {
        const r = await request();
        if (r.status !== 200) throw new Error(`answered ${r.status}: ${JSON.stringify(r.body)}`);
        samples.push(r.ms);
        done++;
      }
    }),
  );
  return done;
}

const dataDir = mkdtempSync(join(tmpdir(), 'faas-login-bench-'));
const port = await freePort();
const env = { ...process.env, FAAS_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', STANDALONE_SPAWNER: 'false', LOG_LEVEL: 'silent', BCRYPT_COST: process.env.BCRYPT_COST ?? '10' };
delete env.NATS_URL;
delete env.JWT_SECRET_FILE;
const child = spawn(process.execPath, [mainJs], { env, stdio: ['ignore', 'pipe', 'inherit'] });
try {
  await new Promise((ready, fail) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('listening on') && ready());
    child.once('exit', (code) => fail(new Error(`platform exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}/auth`;
  const user = { username: `bench_${Date.now()}`, password: 'bench-password-1' };
  const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if ((await call(`${base}/register`, json(user))).status !== 201) throw new Error('register failed');
  const { body } = await call(`${base}/login`, json(user));
  const login = () => call(`${base}/login`, json(user));
  const validate = () => call(`${base}/validate`, { headers: { authorization: `Bearer ${body.token}` } });

  await drive(loginClients, Date.now() + 2_000, login, []); // warm-up: pool threads, JIT
  const loginMs = [];
  const started = Date.now();
  const logins = await drive(loginClients, started + seconds * 1000, login, loginMs);
  const perSec = logins / ((Date.now() - started) / 1000);

  const loginMsB = [];
  const validateMs = [];
  const untilB = Date.now() + seconds * 1000;
  const startedB = Date.now();
  const [loginsB, validates] = await Promise.all([drive(loginClients, untilB, login, loginMsB), drive(validateClients, untilB, validate, validateMs)]);
  const elapsedB = (Date.now() - startedB) / 1000;

  out(`login bench: ${mainJs}`);
  out(`cores ${availableParallelism()}, BCRYPT_COST ${env.BCRYPT_COST}, BCRYPT_THREADS ${process.env.BCRYPT_THREADS ?? 'default'}, ${seconds} s per phase`);
  out(`A. logins only (${loginClients} clients): ${perSec.toFixed(1)} logins/s, p50 ${pct(loginMs, 50).toFixed(0)} ms, p99 ${pct(loginMs, 99).toFixed(0)} ms`);
  out(`B. logins (${loginClients} clients) + validate (${validateClients} clients): ${(loginsB / elapsedB).toFixed(1)} logins/s; ` +
    `validate ${(validates / elapsedB).toFixed(0)} req/s, p50 ${pct(validateMs, 50).toFixed(1)} ms, p99 ${pct(validateMs, 99).toFixed(1)} ms`);
} finally {
  child.kill('SIGTERM');
  await new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)));
  rmSync(dataDir, { recursive: true, force: true });
}
