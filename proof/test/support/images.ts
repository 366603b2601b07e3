import { buildFunctionImage, busyboxRuntimeClient } from '@faas/testing';

/** The suite's function images, built locally (no registry): FROM scratch + static busybox. */
export const PROOF_IMAGES = Object.freeze({
  work: 'faas-proof/work:latest',
  sleep: 'faas-proof/sleep:latest',
  echo: 'faas-proof/echo:latest',
  forkbomb: 'faas-proof/forkbomb:latest',
  memhog: 'faas-proof/memhog:latest',
  flood: 'faas-proof/flood2:latest',
  loop: 'faas-proof/loop:latest',
  netdev: 'faas-proof/netdev:latest',
});

const SCRIPTS: Readonly<Record<keyof typeof PROOF_IMAGES, string>> = {
  // One second of "work", then the argument back: each execution's output is its own nonce.
  work: 'sleep 1; printf "%s" "$1"\n',
  sleep: 'sleep "$1"; printf "slept %s" "$1"\n',
  echo: 'printf "%s" "$1"\n',
  forkbomb: 'bomb() { bomb | bomb & }; bomb; sleep 3; echo survived\n',
  memhog: 'x=$(head -c 200000000 /dev/zero | tr "\\000" a); echo "allocated ${#x}"\n',
  // 5 MB on stdout, then 3 MB on stderr: both past the 1 MiB caps, and then it ends.
  flood: 'yes "$1" | head -c 5000000; yes err | head -c 3000000 >&2\n',
  loop: 'while :; do :; done\n',
  // "Tries the network" the only safe way: lists the interfaces it has, reaches no address.
  netdev: 'cat /proc/net/dev\n',
};

/** The hostile ones again, as the handler of a busybox Runtime API client, for process mode. */
export const PROOF_PROCESS_IMAGES = Object.freeze({
  forkbomb: 'faas-proof/forkbomb-process:latest',
  memhog: 'faas-proof/memhog-process:latest',
  flood: 'faas-proof/flood-process:latest',
  loop: 'faas-proof/loop-process:latest',
});

let built: Promise<void> | undefined;
export function buildProofImages(): Promise<void> {
  built ??= (async () => {
    for (const [key, tag] of Object.entries(PROOF_IMAGES)) await buildFunctionImage(tag, SCRIPTS[key as keyof typeof PROOF_IMAGES]);
    for (const [key, tag] of Object.entries(PROOF_PROCESS_IMAGES)) await buildFunctionImage(tag, busyboxRuntimeClient(SCRIPTS[key as keyof typeof PROOF_PROCESS_IMAGES]));
  })();
  return built;
}
