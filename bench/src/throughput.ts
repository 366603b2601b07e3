import { publishSync, type ColdTarget } from './cold.js';
import { rawDockerodeRun } from './engine.js';
import { elapsedMs } from './stats.js';

export interface LevelResult {
  readonly concurrency: number;
  readonly executions: number;
  readonly platformPerSec: number;
  readonly rawPerSec: number;
  readonly platformRssMaxMiB: number;
}

/** `total` jobs shared by `concurrency` workers, each starting the next as soon as its last one ends. */
async function closedLoop(concurrency: number, total: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < total; i = next++) await job(i);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return total / (elapsedMs(started) / 1000);
}

/** Samples a process's RSS every 100 ms until stopped; returns the largest reading. */
function sampleMax(read: () => number): () => number {
  let max = read();
  const timer = setInterval(() => (max = Math.max(max, read())), 100);
  return () => {
    clearInterval(timer);
    return Math.max(max, read());
  };
}

/**
 * Executions per second through the platform (sync publish) and through a raw dockerode loop doing
 * the same create/attach/start/wait/inspect/remove, at each concurrency, in the same run. The two
 * arms alternate which goes first from level to level.
 */
export async function throughput(t: ColdTarget, levels: readonly number[], perLevel: (c: number) => number, rss: () => number): Promise<LevelResult[]> {
  const out: LevelResult[] = [];
  for (const [li, c] of levels.entries()) {
    const total = perLevel(c);
    let platformPerSec = 0;
    let rawPerSec = 0;
    let rssMax = Number.NaN;
    const platformArm = async (): Promise<void> => {
      const stop = sampleMax(rss);
      platformPerSec = await closedLoop(c, total, async (i) => void (await publishSync(t, `tp-${c}-${i}`)));
      rssMax = stop();
    };
    const rawArm = async (): Promise<void> => {
      rawPerSec = await closedLoop(c, total, async (i) => {
        const r = await rawDockerodeRun(t.image, `tp-raw-${c}-${i}`, t.runId);
        if (r.stdout !== `tp-raw-${c}-${i}`) throw new Error(`raw run printed ${JSON.stringify(r.stdout)}`);
      });
    };
    if (li % 2 === 0) {
      await platformArm();
      await rawArm();
    } else {
      await rawArm();
      await platformArm();
    }
    out.push({ concurrency: c, executions: total, platformPerSec, rawPerSec, platformRssMaxMiB: rssMax });
  }
  return out;
}
