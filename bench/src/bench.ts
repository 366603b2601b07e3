import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldLatency, type ColdTarget } from './cold.js';
import { loadBenchConfig, type BenchConfig } from './config.js';
import { BENCH_LABEL, buildEchoImage, cleanupEngine } from './engine.js';
import { call, closeClient } from './http-client.js';
import { machine, newUser, platformEnv, warmStarts } from './setup.js';
import { authRegistryRequests, httpLoad, type HttpLoadResult } from './http-load.js';
import { loginRows, loginSection, type LoginFigures, type LoginSectionOptions } from './login.js';
import { cpuMs, rssMiB, startNats, startPlatformProcess, type Nats, type PlatformProcess } from './platform-process.js';
import { derive, markdownTable, rows, warmRows } from './report.js';
import { throughput } from './throughput.js';
import { runtimeRows, runtimeSection, runtimeTargets, type RuntimeFigures } from './runtime.js';
import { startStack, type Stack } from './stack.js';
import { stackRows, stackSection } from './stack-section.js';
import { tenantsRows, tenantsSection, type TenantsFigures } from './tenants-section.js';
import { warmLatency, warmThroughput } from './warm.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const say = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Section 9 on a platform of its own, started on the defaults (so after any other platform stopped). */
async function tenants(cfg: BenchConfig, start: () => Promise<PlatformProcess>, runId: string, image: string): Promise<TenantsFigures> {
  const platform = await start();
  say(`9. many tenants, on the default settings (platform pid ${platform.pid}): 1, 2, 5 and 20 users, ${cfg.tenantN} executions per load`);
  return tenantsSection({ baseUrl: platform.baseUrl, image, runId, executions: cfg.tenantN, skewSeconds: cfg.skewSeconds, newUser, say });
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
  let stack: Stack | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaned ??= (async () => {
      closeClient();
      await platform?.stop().catch((err: unknown) => say(`platform stop failed: ${String(err)}`));
      await stack?.stop().catch((err: unknown) => say(`stack stop failed: ${String(err)}`));
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
    const started = await startNats(dir);
    nats = started;
    say(`nats-server (one node, JetStream, NATS_REPLICAS=1) at ${nats.url}`);
    const mainJs = cfg.platformMain ?? join(repoRoot, 'standalone/dist/src/main.js');
    const startDefaults = async (): Promise<PlatformProcess> => (platform = await startPlatformProcess(mainJs, platformEnv(started, dir, runId, undefined), cfg.platformNodeArgs));
    if (cfg.only === 'tenants') {
      const figures = await tenants(cfg, startDefaults, runId, image);
      process.stdout.write(`\nFaaS platform bench, section 9 alone, ${machine()}\n\n${markdownTable(tenantsRows(figures))}\n\n`);
      if (cfg.outFile) writeFileSync(cfg.outFile, JSON.stringify({ machine: machine(), config: { ...cfg, perLevel: undefined }, tenants: figures }, null, 2));
      return;
    }
    if (cfg.only === 'stack') {
      // Standalone with the stack's slots (3 spawners x 5) and the same per-user quota as the stack here.
      const quota = { MAX_CONCURRENT_PER_USER: '32' };
      platform = await startPlatformProcess(mainJs, { ...platformEnv(started, dir, runId, undefined), ...quota, MAX_CONTAINERS: '15' }, cfg.platformNodeArgs);
      stack = await startStack({ repoRoot, dir, runId, extraEnv: { ...quota, USER_RATE_LIMIT_COUNT: String(cfg.stackRateLimit) } });
      say(`10. deployed warm path: standalone at ${platform.baseUrl}, stack edge at ${stack.edgeUrl} (per-user limit ${cfg.stackRateLimit}/min)`);
      const arms = [
        { name: 'standalone (1 process, 1 NATS node, R1)', accountUrl: platform.baseUrl, publishUrl: platform.baseUrl },
        { name: 'stack, straight to the publisher (3-node NATS, R3, 3 spawners)', accountUrl: stack.edgeUrl, publishUrl: stack.publisherUrl },
        { name: 'stack through the edge (e2e-edge.mjs)', accountUrl: stack.edgeUrl, publishUrl: stack.edgeUrl },
      ];
      const figures = await stackSection({ arms, image, runId, rounds: 2, serial: cfg.warmN / 2, loaded: cfg.warmTpN / 2, concurrency: 16, newUser });
      process.stdout.write(`\nFaaS platform bench, section 10 alone, ${machine()}\n\n${markdownTable(stackRows(figures))}\n\n`);
      if (cfg.outFile) writeFileSync(cfg.outFile, JSON.stringify({ machine: machine(), config: { ...cfg, perLevel: undefined }, stack: figures }, null, 2));
      return;
    }
    platform = await startPlatformProcess(mainJs, platformEnv(started, dir, runId, cfg), cfg.platformNodeArgs);
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
    if (cfg.only === 'warm') {
      // Section 6 alone: against another build with BENCH_PLATFORM_MAIN, side by side by turns.
      const supervisor = readFileSync(join(repoRoot, 'spawner-service/dist/faas-supervisor'));
      const warm = await warmLatency({ warm: warmTarget, cold: target }, supervisor, { n: cfg.warmN, warmup: cfg.warmup });
      const throughput = await warmThroughput(warmTarget, cfg.warmConcurrency, cfg.warmTpN, { platform: () => cpuMs(pid), nats: () => cpuMs(nats?.pid) });
      const rows = warmRows({ ...warm, throughput, hitRate: Number.NaN });
      process.stdout.write(`\nFaaS platform bench, section 6 alone (${mainJs}), ${machine()}\n\n${markdownTable(rows)}\n\n`);
      return;
    }
    const runtime = async (): Promise<RuntimeFigures> => {
      say(`8. runtime: building the Node handler image; ${cfg.warmup} warm-up + ${cfg.runtimeN} interleaved rounds, then ${cfg.runtimeTpN} executions per arm at ${cfg.warmConcurrency}`);
      const targets = await runtimeTargets(warmTarget, runId);
      const supervisor = readFileSync(join(repoRoot, 'spawner-service/dist/faas-supervisor'));
      return runtimeSection(targets, { n: cfg.runtimeN, warmup: cfg.warmup, concurrency: cfg.warmConcurrency, total: cfg.runtimeTpN, supervisor }, say);
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
    await platform.stop();
    const tenantFigures = await tenants(cfg, startDefaults, runId, image);
    const table = markdownTable([...rows(figures), ...loginRows(loginFigures, loginOptions(cfg, pid, nats.pid)), ...runtimeRows(runtimeFigures), ...tenantsRows(tenantFigures)]);
    const where = machine();
    process.stdout.write(`\nFaaS platform bench, ${where}\nplatform: standalone child process, one local nats-server (NATS_REPLICAS=1), LOG_LEVEL=silent, N=${cfg.n}\n\n${table}\n\n`);
    if (cfg.outFile) writeFileSync(cfg.outFile, JSON.stringify({ machine: where, config: { ...cfg, perLevel: undefined }, derived: derive(figures), figures, runtime: runtimeFigures, tenants: tenantFigures }, null, 2));
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
