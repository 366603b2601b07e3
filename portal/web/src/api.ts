/** The platform's HTTP API, from the same origin; errors keep the API's code, message and request id. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export interface FunctionDefinition {
  name: string;
  image: string;
  description: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  cpus: number;
  network: string;
  revision: number;
  updatedAt: string;
  /** An HTTP function: reachable at /publisher/fn/<owner>/<name>/. */
  http?: boolean;
  public?: boolean;
  owner?: string;
}

/** An HTTP function's address on this origin (docs/http-functions.md), or undefined. */
export const functionUrl = (fn: FunctionDefinition): string | undefined =>
  fn.http && fn.owner ? `${window.location.origin}/publisher/fn/${enc(fn.owner)}/${enc(fn.name)}/` : undefined;

export interface ExecutionRecord {
  id: string;
  function: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'error';
  result: string | null;
  logs: string | null;
  exitCode: number | null;
  truncated: boolean;
  durationMs: number | null;
  queuedAt: string;
  finishedAt: string | null;
  error?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const FINAL = new Set(['succeeded', 'failed', 'timed_out', 'error']);

// sessionStorage: the token lives as long as the tab, and never in localStorage.
const TOKEN = 'faas.token';
const USER = 'faas.user';
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN),
  username: (): string => sessionStorage.getItem(USER) ?? '',
  start(token: string, username: string): void {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(USER, username);
  },
  end(): void {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(USER);
  },
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const error = (data as { error?: { code?: string; message?: string; requestId?: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? (text || res.statusText), error?.requestId);
  }
  return data as T;
}

export const enc = encodeURIComponent;
