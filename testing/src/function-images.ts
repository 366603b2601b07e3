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

/** prlimit(2) on PID 1, as `prlimit --pid 1 --fsize=0` would (busybox has no prlimit). */
const LOWER_PID1_FSIZE_C = '#include <sys/resource.h>\nint main(void) { struct rlimit r = { 0, 0 }; return prlimit(1, RLIMIT_FSIZE, &r, 0) != 0; }\n';

/**
 * A function image that tries to leave state for the next warm run: `VOLUME /data`, and a static
 * `/bin/lower-pid1-fsize` that lowers PID 1's file-size limit (the tenant-boundary tests' tool).
 */
export async function buildStateLeakingImage(tag: string, script: string): Promise<string> {
  const base = await buildFunctionImage(`${tag}-base`, script, ['VOLUME /data']);
  const dir = mkdtempSync(join(tmpdir(), 'faas-leaky-'));
  try {
    writeFileSync(join(dir, 'lower.c'), LOWER_PID1_FSIZE_C);
    await run('cc', ['-static', '-O2', '-o', join(dir, 'lower-pid1-fsize'), join(dir, 'lower.c')]);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${base}\nCOPY lower-pid1-fsize /bin/lower-pid1-fsize\n`);
    await run('docker', ['build', '-q', '--label', `${TEST_LABEL}=1`, '-t', tag, dir]);
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
