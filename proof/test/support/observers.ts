import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { NatsConnection, Subscription } from 'nats';
import { logDir } from './processes.js';

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

interface ResultRecord {
  readonly id: string;
  readonly status: string;
  readonly attempt: number;
  readonly spawner: string | null;
  readonly finishedAt: string | null;
}

/**
 * Every final result published on `faas.result.>`. A spawner re-publishes the stored final record
 * when a redelivered message finds it final: that is the same result. A *different* final result
 * (another attempt, spawner or finish time) for one id is a duplicate.
 */
export class ResultWatcher {
  private readonly results = new Map<string, Set<string>>();
  private readonly sub: Subscription;

  constructor(nc: NatsConnection) {
    this.sub = nc.subscribe('faas.result.>', {
      callback: (err, msg) => {
        if (err) return;
        try {
          const r = msg.json<ResultRecord>();
          const key = `${r.status}|${r.attempt}|${r.spawner ?? ''}|${r.finishedAt ?? ''}`;
          const set = this.results.get(r.id) ?? new Set<string>();
          set.add(key);
          this.results.set(r.id, set);
        } catch {
          // Not a record: not ours to count.
        }
      },
    });
  }

  /** Ids among `ids` with more than one distinct final result. */
  duplicates(ids: readonly string[]): string[] {
    return ids.filter((id) => (this.results.get(id)?.size ?? 0) > 1);
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}

/**
 * Containers started per execution id, from the Docker engine's own event stream, for the
 * containers of this run only (label `faas.proof.run`). A function "ran twice" when two
 * containers were started for one execution.
 */
export class ContainerStarts {
  private readonly starts = new Map<string, number>();
  private stream: NodeJS.ReadableStream | undefined;

  private constructor() {}

  static async watch(runId: string): Promise<ContainerStarts> {
    const watcher = new ContainerStarts();
    const stream = await docker.getEvents({ filters: { type: ['container'], event: ['start'], label: [`faas.proof.run=${runId}`] } });
    watcher.stream = stream;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.trim()) continue;
        const event = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
        const id = event.Actor?.Attributes?.['faas.execution'];
        if (id) watcher.starts.set(id, (watcher.starts.get(id) ?? 0) + 1);
      }
    });
    return watcher;
  }

  /** Engine starts (cold containers) plus warm runs, which the spawners log at debug. */
  count(id: string): number {
    return (this.starts.get(id) ?? 0) + (warmRunStarts().get(id) ?? 0);
  }

  /** Ids among `ids` whose function was started more than once. */
  rerun(ids: readonly string[]): string[] {
    return ids.filter((id) => this.count(id) > 1);
  }

  stop(): void {
    (this.stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  }
}

/**
 * Warm runs by execution id, from the spawners' logs (`warm run started`, debug level): a warm
 * container starts once and serves many runs, so the engine's start events do not count them.
 */
function warmRunStarts(): Map<string, number> {
  const runs = new Map<string, number>();
  for (const file of readdirSync(logDir).filter((f) => f.startsWith('spawner-'))) {
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      if (!line.includes('"warm run started"')) continue;
      let id: string | undefined;
      try {
        id = (JSON.parse(line) as { executionId?: string }).executionId;
      } catch {
        continue; // the line being written right now
      }
      if (id) runs.set(id, (runs.get(id) ?? 0) + 1);
    }
  }
  return runs;
}

/** Containers of this run still present (running or not). */
export async function leftoverContainers(runId: string, spawnerId?: string): Promise<Docker.ContainerInfo[]> {
  const label = [`faas.proof.run=${runId}`, ...(spawnerId ? [`faas.spawner=${spawnerId}`] : [])];
  return docker.listContainers({ all: true, filters: { label } });
}
