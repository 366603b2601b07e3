import { Agent, request } from 'node:http';
import { elapsedMs } from './stats.js';

export interface Reply<T> {
  readonly status: number;
  readonly body: T;
  /** Client-side wall time of the request, in ms. */
  readonly ms: number;
}

/** Keep-alive, as a real client (or the gateway) would hold connections to the platform. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A JSON request with the least client overhead node:http allows, so the figures are the server's. */
export function call<T = unknown>(url: string, options: { method?: string; token?: string; body?: unknown } = {}): Promise<Reply<T>> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? (payload === undefined ? 'GET' : 'POST'), headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body: body as T, ms: elapsedMs(started) });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export function closeClient(): void {
  agent.destroy();
}
