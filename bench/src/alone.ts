import { writeFileSync } from 'node:fs';
import type { BenchConfig } from './config.js';
import type { PlatformProcess } from './platform-process.js';
import { markdownTable, type Row } from './report.js';
import { machine, newUser } from './setup.js';
import { startStack, type Stack } from './stack.js';
import { stackRows, stackSection, type StackArm } from './stack-section.js';

/** A section run alone (BENCH_ONLY): its table on stdout, and its figures in BENCH_OUT when set. */
export function reportAlone(cfg: BenchConfig, title: string, rows: Row[], figures?: Record<string, unknown>): void {
  process.stdout.write(`\nFaaS platform bench, ${title}, ${machine()}\n\n${markdownTable(rows)}\n\n`);
  if (cfg.outFile && figures) writeFileSync(cfg.outFile, JSON.stringify({ machine: machine(), config: { ...cfg, perLevel: undefined }, ...figures }, null, 2));
}

/**
 * Section 10 (BENCH_ONLY=stack): standalone with the stack's slots (3 spawners x 5) beside the
 * process stack, straight and through its edge, both with the same per-user quota (32). With
 * BENCH_STACK_EDGE, beside that deployed stack's edge instead (deployed with that quota too).
 */
export async function stackAlone(o: {
  cfg: BenchConfig;
  startPlatform: (extraEnv: Record<string, string>) => Promise<PlatformProcess>;
  startedStack: (stack: Stack) => void;
  repoRoot: string;
  dir: string;
  runId: string;
  image: string;
  say: (line: string) => void;
}): Promise<void> {
  const edge = o.cfg.stackEdge;
  // 16 clients of one user: the default quota (10) would answer 429. A deployed stack gets the
  // same 32 from its deploy (bin/lib/mn-bench.sh exports MAX_CONCURRENT_PER_USER).
  const quota = { MAX_CONCURRENT_PER_USER: '32' };
  const platform = await o.startPlatform({ ...quota, MAX_CONTAINERS: '15' });
  const standalone = { name: 'standalone (1 process, 1 NATS node, R1)', accountUrl: platform.baseUrl, publishUrl: platform.baseUrl };
  let arms: StackArm[];
  if (edge) {
    o.say(`10. deployed warm path: standalone at ${platform.baseUrl}, deployed edge at ${edge.url}`);
    arms = [standalone, { name: edge.name, accountUrl: edge.url, publishUrl: edge.url }];
  } else {
    const stack = await startStack({ repoRoot: o.repoRoot, dir: o.dir, runId: o.runId, extraEnv: { ...quota, USER_RATE_LIMIT_COUNT: String(o.cfg.stackRateLimit) } });
    o.startedStack(stack);
    o.say(`10. deployed warm path: standalone at ${platform.baseUrl}, stack edge at ${stack.edgeUrl} (per-user limit ${o.cfg.stackRateLimit}/min)`);
    arms = [
      standalone,
      { name: 'stack, straight to the publisher (3-node NATS, R3, 3 spawners)', accountUrl: stack.edgeUrl, publishUrl: stack.publisherUrl },
      { name: 'stack through the edge (e2e-edge.mjs)', accountUrl: stack.edgeUrl, publishUrl: stack.edgeUrl },
    ];
  }
  const figures = await stackSection({ arms, image: o.image, runId: o.runId, rounds: 2, serial: o.cfg.warmN / 2, loaded: o.cfg.warmTpN / 2, concurrency: 16, newUser });
  reportAlone(o.cfg, 'section 10 alone', stackRows(figures), { stack: figures });
}
