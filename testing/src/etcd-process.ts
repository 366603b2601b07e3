import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@faas/common';
import { startProcess, type RunningProcess } from './child-process.js';

/** The installed etcd's version ("3.5.16"), read synchronously so a suite can name it in its title. */
export function etcdVersion(): string {
  try {
    return /etcd Version: (\S+)/.exec(execFileSync('etcd', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'not installed (bin/test.sh installs etcd-server)';
  }
}

export interface EtcdServer {
  /** The client URL (loopback); etcd's v3 JSON gateway answers under /v3/. */
  readonly url: string;
  /** What `etcd --version` says (e.g. "3.5.16"). */
  readonly version: string;
  stop(): Promise<void>;
}

/**
 * A real single-member etcd (Debian's etcd-server, installed by bin/test.sh) on free loopback
 * ports with a data directory of its own, removed at stop. `port` picks the client port (a test
 * that starts a client before etcd is up names it first).
 */
export async function startEtcd(options: { port?: number } = {}): Promise<EtcdServer> {
  const version = etcdVersion();
  const [clientPort, peerPort] = [options.port ?? (await freePort()), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'faas-etcd-'));
  let process: RunningProcess;
  try {
    ({ process } = await startProcess(
      'etcd',
      [
        '--name=faas-test', `--data-dir=${dataDir}`,
        `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=faas-test=${peer}`,
        '--log-level=info', '--logger=zap',
      ],
      { env: { PATH: globalThis.process.env.PATH ?? '/usr/bin:/bin' }, ready: /ready to serve client requests|serving client traffic insecurely/i, timeoutMs: 30_000 },
    ));
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    version,
    async stop() {
      await process.stop(5_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
