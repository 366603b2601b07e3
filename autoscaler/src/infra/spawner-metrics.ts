import { lookup } from 'node:dns/promises';
import type { SpawnerLoad, SpawnerMetrics } from '../domain/ports.js';

export const BUSY_METRIC = 'faas_spawner_busy_slots';
export const SLOTS_METRIC = 'faas_spawner_slots';

/** Base URLs of every spawner's metrics endpoint, found afresh for each check. */
export type SpawnerTargets = () => Promise<readonly string[]>;

/**
 * Every address a name resolves to, as `http://<address>:<port>`. In Swarm, `tasks.<service>`
 * resolves to each running task (whatever the endpoint mode). A name that does not resolve yet
 * (no task runs) gives no targets.
 */
export function dnsTargets(host: string, port: number): SpawnerTargets {
  return async () => {
    const found = await lookup(host, { all: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return [];
      throw err;
    });
    return [...new Set(found.map((a) => (a.family === 6 ? `http://[${a.address}]:${port}` : `http://${a.address}:${port}`)))];
  };
}

/** Sum of a metric's samples (any labels) in Prometheus text; undefined when absent. */
export function sampleSum(text: string, metric: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== metric) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

async function scrape(base: string, timeoutMs: number): Promise<{ busy: number; slots: number | undefined } | undefined> {
  try {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const text = await res.text();
    const busy = sampleSum(text, BUSY_METRIC);
    return busy === undefined ? undefined : { busy, slots: sampleSum(text, SLOTS_METRIC) };
  } catch {
    return undefined;
  }
}

/** Scrapes every target in parallel; one that does not answer (starting, stopping) is counted apart. */
export function scrapedSpawnerMetrics(targets: SpawnerTargets, timeoutMs: number): SpawnerMetrics {
  return {
    async load(): Promise<SpawnerLoad> {
      const results = await Promise.all((await targets()).map((base) => scrape(base, timeoutMs)));
      const answers = results.filter((r) => r !== undefined);
      const slots = answers.map((a) => a.slots).filter((s) => s !== undefined);
      return {
        answered: answers.length,
        unreachable: results.length - answers.length,
        busy: answers.reduce((sum, a) => sum + a.busy, 0),
        slotsPerSpawner: slots.length > 0 ? Math.max(...slots) : undefined,
      };
    },
  };
}
