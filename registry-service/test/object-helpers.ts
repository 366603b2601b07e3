import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';

export interface Uploaded {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A raw streamed PUT: the body is written chunk by chunk as the server takes it. */
export function upload(url: string, token: string, body: AsyncIterable<Buffer> | Buffer, headers: Record<string, string> = {}): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    // The path as given (no dot-segment resolution), on a connection of its own.
    const { protocol, host } = new URL(url);
    const path = url.slice(`${protocol}//${host}`.length);
    const req = httpRequest(`${protocol}//${host}`, { path, agent: false, method: 'PUT', headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      });
    });
    // The server may answer (413) before taking the whole body: the answer is what counts.
    req.on('error', reject);
    if (Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    void (async () => {
      for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      req.end();
    })().catch(() => undefined);
  });
}

/** Bytes from a seeded generator, produced on demand (never held whole). */
export async function* pseudoRandom(total: number, seed: string, chunk = 256 * 1024): AsyncGenerator<Buffer> {
  let block = createHash('sha256').update(seed).digest();
  for (let sent = 0; sent < total; sent += chunk) {
    const n = Math.min(chunk, total - sent);
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 32) {
      block = createHash('sha256').update(block).digest();
      block.copy(out, i, 0, Math.min(32, n - i));
    }
    yield out;
  }
}

export async function digestOf(source: AsyncIterable<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Streams a GET's body through a hash. */
export async function downloadDigest(url: string, token: string): Promise<{ status: number; headers: Headers; sha256: string; bytes: number }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.body) return { status: res.status, headers: res.headers, sha256: '', bytes: 0 };
  const { sha256, bytes } = await digestOf(res.body);
  return { status: res.status, headers: res.headers, sha256, bytes };
}
