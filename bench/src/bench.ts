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
import { authRegistrySection } from './http-load.js';
import { loginRows, loginSection, type LoginFigures, type LoginSectionOptions } from './login.js';
import { cpuMs, rssMiB, startNats, startPlatformProcess, type Nats, type PlatformProcess } from './platform-process.js';
import { derive, markdownTable, rows, warmRows } from './report.js';
import { throughput } from './throughput.js';
import { httpUrlOf, runtimeImages, runtimeRows, runtimeSection, runtimeTargets, type RuntimeFigures } from './runtime.js';
import type { Stack } from './stack.js';
import { reportAlone, stackAlone } from './alone.js';
import { tenantsOnDefaults, tenantsRows } from './tenants-section.js';
import { warmLatency, warmThroughput } from './warm.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const say = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function loginOptions(cfg: BenchConfig, platformPid: number | undefined, natsPid: number | undefined): LoginSectionOptions {
  return { seconds: cfg.loginSeconds, loginConcurrency: cfg.httpConcurrency, validateRate: cfg.validateRate, platformPid, natsPid };
}

async function main(): Promise<void> {
  const cfg = loadBenchConfig();
  const runId = randomBytes(4).toString('hex');
  const image = cfg.image ?? `faas-bench/echo:${runId}`;
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
      const built = cfg.image ? [] : [image];
      const removed = await cleanupEngine(runId, [...built, ...Object.values(runtimeImages(runId))]).catch(() => -1);
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
    if (cfg.only !== 'login' && cfg.image) say(`run ${runId}: using ${image} as is (BENCH_IMAGE)`);
    else if (cfg.only !== 'login') {
      say(`run ${runId}: building ${image} (label ${BENCH_LABEL}=${runId})`);
      await buildEchoImage(image, runId);
    }
    const started = await startNats(dir);
    nats = started;
    say(`nats-server (one node, JetStream, NATS_REPLICAS=1) at ${nats.url}`);
    const mainJs = cfg.platformMain ?? join(repoRoot, 'standalone/dist/src/main.js');
    const startDefaults = async (): Promise<PlatformProcess> => (platform = await startPlatformProcess(mainJs, platformEnv(started, dir, runId, undefined), cfg.platformNodeArgs));
    if (cfg.only === 'tenants') {
      const figures = await tenantsOnDefaults(cfg, startDefaults, { runId, image, newUser, say });
      reportAlone(cfg, 'section 9 alone', tenantsRows(figures), { tenants: figures });
      return;
    }
    if (cfg.only === 'stack') {
      const startPlatform = async (extraEnv: Record<string, string>): Promise<PlatformProcess> => (platform = await startPlatformProcess(mainJs, { ...platformEnv(started, dir, runId, undefined), ...extraEnv }, cfg.platformNodeArgs));
      await stackAlone({ cfg, startPlatform, startedStack: (s) => (stack = s), repoRoot, dir, runId, image, say });
      return;
    }
    platform = await startPlatformProcess(mainJs, platformEnv(started, dir, runId, cfg), cfg.platformNodeArgs);
    const pid = platform.pid;
    const probes = { platform: () => cpuMs(pid), nats: () => cpuMs(nats?.pid), natsMessages: () => started.messages() };
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
      reportAlone(cfg, 'section 7 alone', loginRows(figures, loginOptions(cfg, pid, nats.pid)), { figures });
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
      const throughput = await warmThroughput(warmTarget, cfg.warmConcurrency, cfg.warmTpN, probes);
      reportAlone(cfg, `section 6 alone (${mainJs})`, warmRows({ ...warm, throughput, hitRate: Number.NaN }));
      return;
    }
    const runtime = async (): Promise<RuntimeFigures> => {
      say(`8. runtime: building the Node and Python handler images; ${cfg.warmup} warm-up + ${cfg.runtimeN} interleaved rounds, then ${cfg.runtimeTpN} executions per arm at ${cfg.warmConcurrency}`);
      const targets = await runtimeTargets(warmTarget, runId);
      const supervisor = readFileSync(join(repoRoot, 'spawner-service/dist/faas-supervisor'));
      const httpUrl = httpUrlOf(targets.nodeProcess, user.username);
      return runtimeSection(targets, { n: cfg.runtimeN, warmup: cfg.warmup, concurrency: cfg.warmConcurrency, total: cfg.runtimeTpN, supervisor, httpUrl }, say);
    };
    if (cfg.only === 'runtime') {
      const figures = await runtime();
      reportAlone(cfg, 'section 8 alone', runtimeRows(figures), { figures });
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
    const warmTp = await warmThroughput(warmTarget, cfg.warmConcurrency, cfg.warmTpN, probes);
    const warmStarts1 = await warmStarts(platform.baseUrl);
    const runtimeFigures = await runtime();

    say(`4. auth and registry: ${cfg.httpConcurrency} clients, ${cfg.httpSeconds} s each`);
    const http = await authRegistrySection(platform.baseUrl, user, fn, { concurrency: cfg.httpConcurrency, seconds: cfg.httpSeconds });
    const loginFigures = await login();

    await settle(2_000);
    const memory = { freshMiB, idleMiB, peakMiB: Math.max(...levels.map((l) => l.platformRssMaxMiB)), afterMiB: rssMiB(pid), natsMiB: rssMiB(nats.pid) };
    const hits = warmStarts1.hit - warmStarts0.hit;
    const figures = { cold, levels, http, login: loginFigures, memory, warm: { ...warm, throughput: warmTp, hitRate: hits / (hits + warmStarts1.new - warmStarts0.new) } };
    await platform.stop();
    const tenantFigures = await tenantsOnDefaults(cfg, startDefaults, { runId, image, newUser, say });
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
