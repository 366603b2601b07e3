import { syncLoop } from './warm.js';
import { publishSync, type ColdTarget, type PlatformSample } from './cold.js';
import { call } from './http-client.js';
import type { Row } from './report.js';
import { fmtMs, fmtRatio, summarize } from './stats.js';

export interface ArmFigures {
  readonly name: string;
  /** Sequential runs (concurrency 1). */
  readonly serial: PlatformSample[];
  /** Runs at concurrency 16, and their rate over each burst. */
  readonly loaded: number[];
  readonly perSec: number[];
}

export interface StackFigures {
  readonly arms: readonly ArmFigures[];
  readonly concurrency: number;
}

export interface StackArm {
  readonly name: string;
  /** Where a user registers and logs in, and creates the function (the same base for the arms of one platform). */
  readonly accountUrl: string;
  readonly publishUrl: string;
}

async function account(accountUrl: string, runId: string, image: string, newUser: (baseUrl: string) => Promise<{ token: string }>): Promise<{ token: string; functionName: string }> {
  const { token } = await newUser(accountUrl);
  const functionName = `stack-${runId}`;
  const created = await call(`${accountUrl}/registry/functions`, { token, body: { name: functionName, image } });
  if (created.status !== 201) throw new Error(`function create at ${accountUrl} answered ${created.status}`);
  return { token, functionName };
}

async function burst(t: ColdTarget, concurrency: number, total: number, tag: string): Promise<{ latency: number[]; perSec: number }> {
  const latency: number[] = [];
  return { perSec: await syncLoop(t, concurrency, total, tag, latency), latency };
}

/**
 * Section 9: one user's warm function, sync, on each arm (standalone, the stack without and with
 * its edge), `rounds` rounds in turn so drift hits every arm: `serial` runs one at a time, then
 * `loaded` runs at `concurrency`.
 */
export async function stackSection(o: {
  arms: readonly StackArm[];
  image: string;
  runId: string;
  rounds: number;
  serial: number;
  loaded: number;
  concurrency: number;
  newUser: (baseUrl: string) => Promise<{ token: string }>;
}): Promise<StackFigures> {
  const accounts = new Map<string, { token: string; functionName: string }>();
  const targets: ColdTarget[] = [];
  for (const arm of o.arms) {
    if (!accounts.has(arm.accountUrl)) accounts.set(arm.accountUrl, await account(arm.accountUrl, o.runId, o.image, o.newUser));
    const acc = accounts.get(arm.accountUrl) as { token: string; functionName: string };
    targets.push({ baseUrl: arm.publishUrl, token: acc.token, functionName: acc.functionName, image: o.image, runId: o.runId });
  }
  const figures: ArmFigures[] = o.arms.map((a) => ({ name: a.name, serial: [], loaded: [], perSec: [] }));
  for (const t of targets) await burst(t, o.concurrency, o.concurrency * 4, 'warm-up');
  for (let r = 0; r < o.rounds; r++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (r + k) % targets.length;
      const t = targets[i] as ColdTarget;
      const f = figures[i] as ArmFigures;
      for (let n = 0; n < o.serial; n++) f.serial.push(await publishSync(t, `serial-${r}-${n}`));
      const loaded = await burst(t, o.concurrency, o.loaded, `loaded-${r}`);
      f.loaded.push(...loaded.latency);
      f.perSec.push(loaded.perSec);
    }
  }
  return { arms: figures, concurrency: o.concurrency };
}

const at = (iso: string | null): number => (iso ? Date.parse(iso) : Number.NaN);

export function stackRows(f: StackFigures): Row[] {
  const base = f.arms[0];
  const baseP50 = base ? summarize(base.serial.map((s) => s.e2eMs)).p50 : Number.NaN;
  return f.arms.flatMap((a, i) => {
    const serial = summarize(a.serial.map((s) => s.e2eMs));
    const loaded = summarize(a.loaded);
    const perSec = a.perSec.reduce((x, y) => x + y, 0) / Math.max(1, a.perSec.length);
    const split = [
      a.serial.map((s) => at(s.record.queuedAt) - s.sentAt),
      a.serial.map((s) => at(s.record.startedAt) - at(s.record.queuedAt)),
      a.serial.map((s) => s.record.durationMs ?? Number.NaN),
      a.serial.map((s) => s.receivedAt - at(s.record.finishedAt)),
    ].map((list) => fmtMs(summarize(list).p50));
    const ratio = serial.p50 / baseP50;
    const rows: Row[] = [
      {
        section: '10 deployed warm path',
        figure: `${a.name}: one at a time (${a.serial.length} runs)`,
        value: `p50 ${fmtMs(serial.p50)} · p99 ${fmtMs(serial.p99)} ms${i > 0 ? ` (p50 ${fmtRatio(ratio)} standalone's)` : ''}; split p50 accept · queue · run · give back ${split.join(' · ')} ms`,
        target: i === f.arms.length - 1 ? 'p50 ≤ 2x standalone' : '',
        met: i === f.arms.length - 1 ? (ratio <= 2 ? 'yes' : 'no') : '',
      },
      {
        section: '10 deployed warm path',
        figure: `${a.name}: concurrency ${f.concurrency} (${a.loaded.length} runs)`,
        value: `${perSec.toFixed(1)}/s · p50 ${fmtMs(loaded.p50)} · p99 ${fmtMs(loaded.p99)} ms`,
        target: '',
        met: '',
      },
    ];
    return rows;
  });
}
