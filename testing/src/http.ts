import type { Express } from 'express';
import { boundPort, closeServer, listen } from '@faas/common';

export interface RunningApp {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves an app on a free loopback port for a test. */
export async function serveApp(app: Express): Promise<RunningApp> {
  const server = await listen(app, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${boundPort(server)}`, close: () => closeServer(server) };
}

export interface JsonResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** A small fetch wrapper: JSON in, parsed JSON (or text) out, never throws on HTTP status. */
export async function request<T = Record<string, unknown>>(
  url: string,
  options: { method?: string; body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(url, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: tests assert on the raw text.
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}
