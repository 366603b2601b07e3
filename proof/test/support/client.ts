import { eventually, request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import type { ProofPlatform } from './platform.js';

export interface User {
  readonly username: string;
  readonly token: string;
}

export type Execution = Record<string, unknown> & { id: string; status: string; attempt: number; result: string | null; rerun?: { previousSpawner: string; reason: string } };

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'timed_out', 'error']);

export async function newUser(platform: ProofPlatform): Promise<User> {
  const username = uniqueName('proof');
  const body = { username, password: 'correct-horse-battery' };
  const reg = await request(`${platform.auth.url}/auth/register`, { body });
  expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
  const login = await request<{ token: string }>(`${platform.auth.url}/auth/login`, { body });
  expect(login.status).to.equal(200);
  return { username, token: login.body.token };
}

export async function newFunction(platform: ProofPlatform, user: User, image: string, extra: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueName('fn');
  const res = await request(`${platform.registry.url}/registry/functions`, { token: user.token, body: { name, image, ...extra } });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return name;
}

/** POST /publisher/executions; returns the execution id. */
export async function submitAsync(publisherUrl: string, user: User, name: string, argument: string, callbackUrl?: string): Promise<string> {
  const body = { name, argument, ...(callbackUrl ? { callbackUrl } : {}) };
  const res = await request<{ executionId: string }>(`${publisherUrl}/publisher/executions`, { token: user.token, body });
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
  return res.body.executionId;
}

export async function readExecution(publisherUrl: string, user: User, id: string): Promise<Execution | undefined> {
  const res = await request<Execution>(`${publisherUrl}/publisher/executions/${id}`, { token: user.token });
  return res.status === 200 ? res.body : undefined;
}

export interface Submitted {
  readonly id: string;
  readonly user: User;
}

/** Polls every execution until all are final or the deadline passes; returns the last record seen per id. */
export async function waitAllFinal(publisherUrl: () => string, items: readonly Submitted[], timeoutMs: number): Promise<Map<string, Execution | undefined>> {
  const seen = new Map<string, Execution | undefined>(items.map((item) => [item.id, undefined]));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = items.filter((item) => !FINAL_STATUSES.has(seen.get(item.id)?.status ?? ''));
    if (open.length === 0 || Date.now() > deadline) return seen;
    await Promise.all(
      open.map(async (item) => {
        const record = await readExecution(publisherUrl(), item.user, item.id).catch(() => undefined);
        if (record) seen.set(item.id, record);
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function countFinal(records: Map<string, Execution | undefined>): number {
  return [...records.values()].filter((r) => r && FINAL_STATUSES.has(r.status)).length;
}

/** Runs `tasks` with at most `width` at once, in order. */
export async function inParallel<T>(tasks: readonly (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await (tasks[i] as () => Promise<T>)();
      }
    }),
  );
  return out;
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  await eventually(async () => ((await check()) ? true : undefined), timeoutMs, 100);
}
