import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Label on every image and container tests make, so a sweep can find leftovers. */
export const TEST_LABEL = 'faas.test';

/**
 * Builds a tiny function image with no registry: `FROM scratch` plus Debian's static busybox,
 * running `script` with the execution argument as `$1` (the function contract's last argv).
 * `dockerfileLines` go after busybox is installed (e.g. `VOLUME /data`).
 */
export async function buildFunctionImage(tag: string, script: string, dockerfileLines: readonly string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'faas-fn-'));
  try {
    copyFileSync('/bin/busybox', join(dir, 'busybox'));
    writeFileSync(join(dir, 'fn.sh'), script);
    writeFileSync(
      join(dir, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        ...dockerfileLines,
        'COPY fn.sh /fn.sh',
        'ENTRYPOINT ["/bin/sh", "/fn.sh"]',
        '',
      ].join('\n'),
    );
    await run('docker', ['build', '-q', '--label', `${TEST_LABEL}=1`, '-t', tag, dir], { maxBuffer: 16 << 20 });
    return tag;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Function scripts the suites share: each reads its argument as $1. */
export const FUNCTION_SCRIPTS = Object.freeze({
  echo: 'printf "%s" "$1"\n',
  upper: 'printf "%s" "$1" | tr "a-z" "A-Z"\n',
  fail: 'echo "partial output"; echo "something broke" >&2; exit 3\n',
  sleep: 'sleep "${1:-30}"\n',
});
