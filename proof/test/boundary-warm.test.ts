import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TEST_LABEL, buildFunctionImage, buildStateLeakingImage } from '@faas/testing';
import { expect } from 'chai';
import { newFunction, newUser, submitAsync, waitAllFinal, type Execution, type User } from './support/client.js';
import { PROOF_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { proofPlatform, type ProofPlatform } from './support/platform.js';

const sh = promisify(execFile);

const HOSTILE_IMAGE = 'faas-proof/ships-a-supervisor:latest';
const LEAKY_IMAGE = 'faas-proof/warm-leaks:latest';
/** Named to run first in the suite: the poisoning attempt needs the run's supervisor volume still new. */
const SHIPS_SUPERVISOR = [
  'RUN ["/bin/sh", "-c", "mkdir -p /faas-fill && printf \'#!/bin/sh\\\\necho PWNED\\\\n\' > /faas-fill/faas-supervisor && chmod 755 /faas-fill/faas-supervisor && echo x > /faas-fill/.complete"]',
];
const LEAKY_SCRIPT = [
  'id=$(hostname)',
  'case "$1" in',
  '  litter) echo "derived-from-secret" > /data/left; mkdir -p /data/locked; chmod 000 /data/locked; printf "%s" "$id" ;;',
  '  look) printf "%s|%s" "$id" "$(ls -A /data)" ;;',
  '  lower) /bin/lower-pid1-fsize && renice -n 10 -p 1 >/dev/null && printf "%s" "$id" ;;',
  '  state) echo x > /tmp/written && printf "%s|%s" "$id" "$(cut -d" " -f19 /proc/self/stat)" ;;',
  'esac',
  '',
].join('\n');
/** One execution at a time, so "the next run" is the next one the user's function gets. */
async function runOne(p: ProofPlatform, user: User, name: string, argument: string): Promise<Execution | undefined> {
  const id = await submitAsync(p.publishers[0]!.url, user, name, argument);
  return (await waitAllFinal(() => p.publishers[0]!.url, [{ id, user }], 30_000)).get(id);
}

async function volumeExists(volume: string): Promise<boolean> {
  return sh('docker', ['volume', 'inspect', volume]).then(() => true, () => false);
}

async function digestInVolume(volume: string): Promise<string> {
  const { stdout } = await sh('docker', [
    'run', '--rm', '--network', 'none', '--label', `${TEST_LABEL}=1`,
    '--mount', `type=volume,src=${volume},dst=/v,readonly,volume-nocopy`,
    '--entrypoint', '/bin/sha256sum', PROOF_IMAGES.echo, '/v/faas-supervisor',
  ]);
  return stdout.split(' ')[0] ?? '';
}

describe('proof: the tenant boundary of warm containers (issue 21)', function () {
  this.timeout(180_000);

  it("supervisor-volume poisoning: a hostile image first on a fresh volume; the platform's binary stays and other tenants answer", async () => {
    const row = ledgerRow('supervisor-volume poisoning (hostile image first, then 8 runs of another user)');
    const p = await proofPlatform();
    await buildProofImages();
    await buildFunctionImage(HOSTILE_IMAGE, 'printf "hostile %s" "$1"\n', SHIPS_SUPERVISOR);
    const fresh = !(await volumeExists(p.supervisor.volume));
    const attacker = await newUser(p);
    const hostile = await runOne(p, attacker, await newFunction(p, attacker, HOSTILE_IMAGE), 'first');
    const victim = await newUser(p);
    const echo = await newFunction(p, victim, PROOF_IMAGES.echo);
    const runs: (Execution | undefined)[] = [];
    for (let i = 0; i < 8; i++) runs.push(await runOne(p, victim, echo, `victim-${i}`));
    const digest = await digestInVolume(p.supervisor.volume);
    row.submitted = 1 + runs.length;
    row.final = [hostile, ...runs].filter((r) => r && r.status !== 'queued' && r.status !== 'running').length;
    row.lost = row.submitted - row.final;
    const answered = runs.filter((r, i) => r?.status === 'succeeded' && r.result === `victim-${i}`).length;
    row.notes = `volume new at start: ${fresh}; it holds the platform's digest: ${digest === p.supervisor.digest}; the hostile run: ${hostile?.status}; the other user's runs answered normally: ${answered}/${runs.length}`;
    expect(fresh, 'this scenario must be the first warm run of the suite').to.equal(true);
    expect(hostile?.status).to.equal('succeeded');
    expect(digest).to.equal(p.supervisor.digest);
    expect(answered).to.equal(runs.length);
  });

  it('warm state leakage: VOLUME path files and PID 1 rlimits/nice set by one run reach no later run', async () => {
    const rounds = 4;
    const row = ledgerRow(`warm state leakage (VOLUME files x${rounds}, PID 1 fsize=0 + nice 10 x${rounds})`);
    const p = await proofPlatform();
    await buildStateLeakingImage(LEAKY_IMAGE, LEAKY_SCRIPT);
    const user = await newUser(p);
    const name = await newFunction(p, user, LEAKY_IMAGE);
    const seen = { volumeLeaks: 0, sameContainer: 0, limitLeaks: 0, replaced: 0, runs: 0, final: 0 };
    const tally = (r: Execution | undefined): string[] => {
      seen.runs++;
      if (r && r.status !== 'queued' && r.status !== 'running') seen.final++;
      return r?.status === 'succeeded' ? (r.result ?? '').split('|') : [];
    };
    // The niceness a run gets in a container no run changed (the engine's own, not always 0).
    const [, freshNice] = tally(await runOne(p, user, name, 'state'));
    for (let i = 0; i < rounds; i++) {
      const [littered] = tally(await runOne(p, user, name, 'litter'));
      const [host, left] = tally(await runOne(p, user, name, 'look'));
      if (host === littered) seen.sameContainer++;
      if (left !== '') seen.volumeLeaks++;
      const [lowered] = tally(await runOne(p, user, name, 'lower'));
      const [after, nice] = tally(await runOne(p, user, name, 'state'));
      if (nice === undefined || nice !== freshNice) seen.limitLeaks++; // also when the run died of SIGXFSZ: no output
      if (after !== lowered) seen.replaced++;
    }
    row.submitted = seen.runs;
    row.final = seen.final;
    row.lost = seen.runs - seen.final;
    row.notes = `VOLUME files seen by the next run: ${seen.volumeLeaks} (${seen.sameContainer}/${rounds} next runs in the same container); runs that inherited fsize or nice: ${seen.limitLeaks}/${rounds} (container replaced ${seen.replaced}/${rounds})`;
    expect(freshNice).to.match(/^-?\d+$/);
    expect(seen.final).to.equal(seen.runs);
    expect(seen.volumeLeaks).to.equal(0);
    expect(seen.limitLeaks).to.equal(0);
  });
});
