import { CliError, type ApiClient } from './api.js';

export interface Execution extends Readonly<Record<string, unknown>> {
  readonly id: string;
  readonly function: string;
  readonly status: string;
  readonly result: string | null;
  readonly logs: string | null;
  readonly exitCode: number | null;
  readonly durationMs: number | null;
  readonly queuedAt: string;
  readonly error?: string;
}

export interface Accepted {
  readonly executionId: string;
  readonly status: string;
  readonly statusUrl: string;
}

/** `--limit`: a whole number from 1 to 200 (the publisher's page size). */
export function executionLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new CliError(`--limit must be a whole number from 1 to 200, not ${value}`);
  return n;
}

/**
 * The caller's newest executions, of one function or all. A page may hold fewer than asked (the
 * publisher reads at most 2000 records per page): it goes on while there is a cursor.
 */
export async function listExecutions(api: ApiClient, options: { limit: number; function?: string | undefined }): Promise<Execution[]> {
  const items: Execution[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.call<{ items: Execution[]; nextCursor: string | null }>('/publisher/executions', {
      query: { limit: options.limit - items.length, function: options.function, cursor },
    });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < options.limit);
  return items;
}

const FINAL = new Set(['succeeded', 'failed', 'timed_out', 'error']);
export const isFinal = (status: string): boolean => FINAL.has(status);
export const executionPath = (id: string): string => `/publisher/executions/${encodeURIComponent(id)}`;

/**
 * The exit code of `faas invoke`: 0 only for `succeeded`; a failed function's own code when it
 * fits (1-123); 124 for a timeout, as timeout(1) does; 125 when the platform could not run it,
 * as `docker run` does for its own errors.
 */
export function exitCodeOf(record: Execution): number {
  switch (record.status) {
    case 'succeeded':
      return 0;
    case 'failed':
      return record.exitCode !== null && record.exitCode >= 1 && record.exitCode <= 123 ? record.exitCode : 1;
    case 'timed_out':
      return 124;
    default:
      return 125;
  }
}

/** Polls the record until it is final: quickly at first, then once a second. */
export async function waitForFinal(api: ApiClient, id: string, onStatus: (status: string) => void): Promise<Execution> {
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 1_000)) {
    const record = await api.call<Execution>(executionPath(id));
    if (isFinal(record.status)) return record;
    onStatus(record.status);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
