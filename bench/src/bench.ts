import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldLatency, type ColdTarget } from './cold.js';
import { loadBenchConfig, type BenchConfig } from './config.js';
import { BENCH_LABEL, buildEchoImage, cleanupEngine } from './engine.js';
import { call, closeClient } from './http-client.js';
import { authRegistryRequests, httpLoad, type HttpLoadResult } from './http-load.js';
import { loginRows, loginSection, type LoginFigures, type LoginSectionOptions } from './login.js';
import { cpuMs, rssMiB, startNats, startPlatformProcess, type Nats, type PlatformProcess } from './platform-process.js';
import { derive, markdownTable, rows } from './report.js';
import { throughput } from './throughput.js';
import { runtimeRows, runtimeSection, runtimeTargets, type RuntimeFigures } from './runtime.js';
import { warmLatency, warmThroughput } from './warm.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const say = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function newUser(baseUrl: string): Promise<{ username: string; password: string; token: string }> {
  const username = `bench-${randomBytes(4).toString('hex')}`;
  const password = 'bench-password-1';
  const reg = await call(`${baseUrl}/auth/register`, { body: { username, password } });
  if (reg.status !== 201) throw new Error(`register answered ${reg.status}: ${JSON.stringify(reg.body)}`);
  const login = await call<{ token: string }>(`${baseUrl}/auth/login`, { body: { username, password } });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  return { username, password, token: login.body.token };
}

/** The in-process spawner's warm-start counters, from the platform's /metrics. */
async function warmStarts(baseUrl: string): Promise<{ hit: number; new: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const read = (kind: string): number => Number(new RegExp(`^faas_spawner_warm_starts_total\\{kind="${kind}"\\} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
  return { hit: read('hit'), new: read('new') };
}

function machine(): string {
  const engine = execFileSync('docker', ['version', '--format', '{{.Server.Version}}']).toString().trim();
  const nats = execFileSync('nats-server', ['--version']).toString().trim();
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, docker ${engine}, ${nats}, node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z`;
}

function loginOptions(cfg: BenchConfig, platformPid: number | undefined, natsPid: number | undefined): LoginSectionOptions {
  return { seconds: cfg.loginSeconds, loginConcurrency: cfg.httpConcurrency, validateRate: cfg.validateRate, platformPid, natsPid };
}

async function main(): Promise<void> {
  const cfg = loadBenchConfig();
  const runId = randomBytes(4).toString('hex');
  const image = `faas-bench/echo:${runId}`;
  const dir = mkdtempSync(join(tmpdir(), 'faas-bench-'));
  let nats: Nats | undefined;
  let platform: PlatformProcess | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaned ??= (async () => {
      closeClient();
      await platform?.stop().catch((err: unknown) => say(`platform stop failed: ${String(err)}`));
      await nats?.stop().catch((err: unknown) => say(`nats stop failed: ${String(err)}`));
      const removed = await cleanupEngine(runId, [image, `faas-bench/node-upper:${runId}`]).catch(() => -1);
      if (removed > 0) say(`removed ${removed} leftover containers of run ${runId}`);
      rmSync(dir, { recursive: true, force: true });
    })());
  const onSignal = (): void => {
    say('interrupted: cleaning up');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (cfg.only !== 'login') {
      say(`run ${runId}: building ${image} (label ${BENCH_LABEL}=${runId})`);
      await buildEchoImage(image, runId);
    }
    nats = await startNats(dir);
    say(`nats-server (one node, JetStream, NATS_REPLICAS=1) at ${nats.url}`);
    platform = await startPlatformProcess(cfg.platformMain ?? join(repoRoot, 'standalone/dist/src/main.js'), {
      PORT: '0',
      HOST: '127.0.0.1',
      NATS_URL: nats.url,
      NATS_REPLICAS: '1',
      FAAS_DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'silent',
      SPAWNER_ID: `bench-${runId}`,
      CONTAINER_LABELS: `${BENCH_LABEL}=${runId}`,
      MAX_CONTAINERS: String(cfg.maxContainers),
      MAX_CONCURRENT_PER_USER: String(cfg.maxContainers * 2),
      // The bcrypt pool's settings pass through, to measure them (section 7).
      ...Object.fromEntries(['BCRYPT_THREADS', 'BCRYPT_NICE'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
    }, cfg.platformNodeArgs);
    const pid = platform.pid;
    say(`platform (standalone child process, pid ${pid}${cfg.platformMain ? `, ${cfg.platformMain}` : ''}) at ${platform.baseUrl}, MAX_CONTAINERS=${cfg.maxContainers}`);
    await settle(1_000);
    const freshMiB = rssMiB(pid);
    const user = await newUser(platform.baseUrl);
    const login = (): Promise<LoginFigures> => {
      say(`7. login: validate at ${cfg.validateRate}/s alone, then with ${cfg.httpConcurrency} login clients, ${cfg.loginSeconds} s each`);
      return loginSection(platform?.baseUrl ?? '', user, loginOptions(cfg, pid, nats?.pid));
    };
    if (cfg.only === 'login') {
      const figures = await login();
      process.stdout.write(`\nFaaS platform bench, section 7 alone, ${machine()}\n\n${markdownTable(loginRows(figures, loginOptions(cfg, pid, nats.pid)))}\n\n`);
      if (cfg.outFile) writeFileSync(cfg.outFile, JSON.stringify({ machine: machine(), config: { ...cfg, perLevel: undefined }, figures }, null, 2));
      return;
    }
    const fn = `echo-${runId}`;
    const fnWarm = `echo-warm-${runId}`;
    for (const body of [{ name: fn, image, warm: false }, { name: fnWarm, image }]) {
      const created = await call(`${platform.baseUrl}/registry/functions`, { token: user.token, body });
      if (created.status !== 201) throw new Error(`function create answered ${created.status}`);
    }
    const target: ColdTarget = { baseUrl: platform.baseUrl, token: user.token, functionName: fn, image, runId };
    const warmTarget: ColdTarget = { ...target, functionName: fnWarm };
    const runtime = async (): Promise<RuntimeFigures> => {
      say(`8. runtime: building the Node handler image; ${cfg.warmup} warm-up + ${cfg.runtimeN} interleaved rounds, then ${cfg.runtimeTpN} executions per arm at ${cfg.warmConcurrency}`);
      const targets = await runtimeTargets(warmTarget, runId);
      return runtimeSection(targets, { n: cfg.runtimeN, warmup: cfg.warmup, concurrency: cfg.warmConcurrency, total: cfg.runtimeTpN }, say);
    };
    if (cfg.only === 'runtime') {
      const figures = await runtime();
      process.stdout.write(`\nFaaS platform bench, section 8 alone, ${machine()}\n\n${markdownTable(runtimeRows(figures))}\n\n`);
      if (cfg.outFile) writeFileSync(cfg.outFile, JSON.stringify({ machine: machine(), config: { ...cfg, perLevel: undefined }, figures }, null, 2));
      return;
    }

    // Sections 1-3 measure the cold path: a function that asks for a fresh container every run.
    say(`1-2. cold latency: ${cfg.warmup} warm-up + ${cfg.n} rounds of 4 interleaved arms`);
    const cold = await coldLatency(target, cfg.n, cfg.warmup, (i) => i % 10 === 0 && say(`   round ${i}/${cfg.n}`));
    await settle(2_000);
    const idleMiB = rssMiB(pid);

    say(`3. throughput at concurrency ${cfg.levels.join(', ')} (${cfg.tpRounds} alternating rounds per level)`);
    const levels = await throughput(target, cfg.levels, { perLevel: cfg.perLevel, rounds: cfg.tpRounds }, () => rssMiB(pid), {
      platform: () => cpuMs(pid),
      nats: () => cpuMs(nats?.pid),
    });

    say(`6. warm: ${cfg.warmup} warm-up + ${cfg.warmN} rounds (platform warm, platform cold every 4th, docker exec, supervisor), then throughput at ${cfg.warmConcurrency}`);
    const supervisor = readFileSync(join(repoRoot, 'spawner-service/dist/faas-supervisor'));
    const warmStarts0 = await warmStarts(platform.baseUrl);
    const warm = await warmLatency({ warm: warmTarget, cold: target }, supervisor, { n: cfg.warmN, warmup: cfg.warmup });
    const warmTp = await warmThroughput(warmTarget, cfg.warmConcurrency, cfg.warmTpN, { platform: () => cpuMs(pid), nats: () => cpuMs(nats?.pid) });
    const warmStarts1 = await warmStarts(platform.baseUrl);
    const runtimeFigures = await runtime();

    say(`4. auth and registry: ${cfg.httpConcurrency} clients, ${cfg.httpSeconds} s each`);
    const reqs = authRegistryRequests(platform.baseUrl, user, fn);
    const opts = { concurrency: cfg.httpConcurrency, seconds: cfg.httpSeconds, warmupSeconds: 1 };
    const http: HttpLoadResult[] = [];
    http.push(await httpLoad('`POST /auth/login` (bcrypt cost 10)', reqs.login, 200, opts));
    http.push(await httpLoad('`GET /auth/validate`', reqs.validate, 200, opts));
    http.push(await httpLoad('`GET /registry/functions/:name`', reqs.functionGet, 200, opts));
    const loginFigures = await login();

    await settle(2_000);
    const memory = { freshMiB, idleMiB, peakMiB: Math.max(...levels.map((l) => l.platformRssMaxMiB)), afterMiB: rssMiB(pid), natsMiB: rssMiB(nats.pid) };
    const hits = warmStarts1.hit - warmStarts0.hit;
    const figures = { cold, levels, http, login: loginFigures, memory, warm: { ...warm, throughput: warmTp, hitRate: hits / (hits + warmStarts1.new - warmStarts0.new) } };
    const table = markdownTable([...rows(figures), ...loginRows(loginFigures, loginOptions(cfg, pid, nats.pid)), ...runtimeRows(runtimeFigures)]);
    const where = machine();
    process.stdout.write(`\nFaaS platform bench, ${where}\nplatform: standalone child process, one local nats-server (NATS_REPLICAS=1), LOG_LEVEL=silent, N=${cfg.n}\n\n${table}\n\n`);
    if (cfg.outFile) writeFileSync(cfg.outFile, JSON.stringify({ machine: where, config: { ...cfg, perLevel: undefined }, derived: derive(figures), figures, runtime: runtimeFigures }, null, 2));
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
