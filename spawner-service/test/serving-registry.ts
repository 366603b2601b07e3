import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

export interface ServingRegistry {
  /** host:port on loopback. */
  readonly host: string;
  close(): Promise<void>;
}

const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * A registry on loopback serving one local image (single layer, as buildFunctionImage's are) under
 * every name and tag: `docker save`, then the registry API's manifest and blob endpoints.
 */
export async function servingRegistry(localImage: string): Promise<ServingRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'faas-reg-'));
  const blobs = new Map<string, Buffer>();
  let manifest: Buffer;
  try {
    await promisify(execFile)('sh', ['-c', `docker save "$1" | tar -x -C "$2"`, 'sh', localImage, dir]);
    const saved = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Array<{ Config: string; Layers: string[] }>)[0];
    if (!saved) throw new Error(`docker save ${localImage}: no manifest`);
    const config = readFileSync(join(dir, saved.Config));
    const layers = saved.Layers.map((layer) => gzipSync(readFileSync(join(dir, layer))));
    for (const blob of [config, ...layers]) blobs.set(sha(blob), blob);
    manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha(config) },
        layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: l.length, digest: sha(l) })),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    const blob = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url)?.[1];
    const body = url === '/v2/' ? Buffer.from('{}') : url.includes('/manifests/') ? manifest : blob ? blobs.get(blob) : undefined;
    if (!body) return void res.writeHead(404).end();
    const type = url.includes('/manifests/') ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Docker-Content-Digest': sha(body), 'Docker-Distribution-API-Version': 'registry/2.0' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    host: `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
