import { buildFunctionImage, request, silentRegistry, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { newFunction, newUser, submitAsync, waitAllFinal } from './support/client.js';
import { PROOF_IMAGES, buildProofImages } from './support/images.js';
import { ledgerRow } from './support/ledger.js';
import { publishRaw, rawRecords, volumesMountedAt } from './support/outage-probes.js';
import { MAX_CONTAINERS, PULL_TIMEOUT_SECONDS, SPAWNER_COUNT, proofPlatform } from './support/platform.js';

const MIB = 1024 * 1024;
const VOLUME_IMAGE = 'faas-proof/volume-fill:latest';
const WHOAMI_IMAGE = 'faas-proof/whoami:latest';
const SCRIPTS = {
  volume: ['head -c 104857600 /dev/zero > /data/big; echo "write exit=$?"', 'echo "size=$(wc -c < /data/big)"', "echo \"fs=$(grep ' /data ' /proc/mounts | cut -d' ' -f3)\"", ''].join('\n'),
  whoami: ['echo "uid=$(id -u):$(id -g)"', "grep -E '^(CapEff|NoNewPrivs):' /proc/self/status | tr -s '\\t ' ' '", "grep -E '^Max (open files|file size)' /proc/self/limits | tr -s ' '", ''].join('\n'),
};
const line = (text: string, start: string): string => text.split('\n').find((l) => l.startsWith(start)) ?? '';

describe('proof: outages a registered user could cause (issue 16)', function () {
  this.timeout(120_000);

  it('slots held for ever: a registry that never answers pins no slot past the pull cap', async () => {
    const slots = SPAWNER_COUNT * MAX_CONTAINERS;
    const row = ledgerRow(`silent registry x${slots * 2} (pull cap ${PULL_TIMEOUT_SECONDS} s)`);
    const p = await proofPlatform();
    await buildProofImages();
    const registry = await silentRegistry();
    try {
      // A new tag each time, twice as many as there are slots: today each would hold its slot for good.
      const ids = await Promise.all(Array.from({ length: slots * 2 }, () => publishRaw(p.nc, `${registry.host}/${uniqueName('slow')}:1`)));
      row.submitted = ids.length;
      const records = await rawRecords(p.nc, ids, 30_000);
      row.final = records.filter((r) => r?.status === 'error').length;
      row.lost = ids.length - records.filter((r) => r && ['succeeded', 'failed', 'timed_out', 'error'].includes(r.status)).length;
      // The slots are free again: a normal execution runs.
      const user = await newUser(p);
      const echo = await newFunction(p, user, PROOF_IMAGES.echo);
      const id = await submitAsync(p.publishers[0]!.url, user, echo, 'after');
      const after = (await waitAllFinal(() => p.publishers[0]!.url, [{ id, user }], 30_000)).get(id);
      row.notes = `each ended error "${records[0]?.error?.split(': ').pop() ?? '?'}"; the registry saw ${registry.requests()} requests; an echo afterwards: ${after?.status}`;
      expect(row.lost).to.equal(0);
      for (const r of records) expect(r?.error).to.match(/the pull took longer than \d+ s$/);
      expect(after?.status).to.equal('succeeded');
    } finally {
      await registry.close();
    }
  });

  it("disk filled through an image's VOLUME: 100 MiB stops at the tmpfs cap and no volume is made", async () => {
    const row = ledgerRow('VOLUME /data filled with 100 MiB x2 (warm)');
    const p = await proofPlatform();
    await buildFunctionImage(VOLUME_IMAGE, SCRIPTS.volume, ['RUN mkdir -m 1777 /data', 'VOLUME /data']);
    const since = Math.floor(Date.now() / 1000) - 1;
    const user = await newUser(p);
    const name = await newFunction(p, user, VOLUME_IMAGE);
    const submitted = await Promise.all([1, 2].map(async () => ({ id: await submitAsync(p.publishers[0]!.url, user, name, 'x'), user })));
    row.submitted = submitted.length;
    const records = [...(await waitAllFinal(() => p.publishers[0]!.url, submitted, 60_000)).values()];
    row.final = records.filter((r) => r?.status === 'succeeded').length;
    row.lost = submitted.length - records.filter((r) => r && r.status !== 'queued' && r.status !== 'running').length;
    const volumes = await volumesMountedAt(p.runId, '/data', since);
    const sizes = records.map((r) => Number(/size=(\d+)/.exec(r?.result ?? '')?.[1]));
    row.notes = `kept ${sizes.map((s) => `${Math.round(s / MIB)} MiB`).join(', ')} on ${line(records[0]?.result ?? '', 'fs=')}; volumes mounted ${volumes.executions.length}, left ${volumes.left.length}`;
    for (const r of records) expect(r?.result).to.contain('fs=tmpfs');
    for (const size of sizes) expect(size).to.be.above(0).and.at.most(16 * MIB);
    expect(volumes).to.deep.equal({ executions: [], left: [] });
  });

  it('functions as root: a run sees uid 65534, no capabilities, no_new_privs and the ulimits', async () => {
    const row = ledgerRow('identity inside the container x2 (new warm container, then reused)');
    const p = await proofPlatform();
    await buildFunctionImage(WHOAMI_IMAGE, SCRIPTS.whoami);
    const user = await newUser(p);
    const name = await newFunction(p, user, WHOAMI_IMAGE);
    const outputs: string[] = [];
    for (const round of [1, 2]) {
      const id = await submitAsync(p.publishers[0]!.url, user, name, String(round));
      const record = (await waitAllFinal(() => p.publishers[0]!.url, [{ id, user }], 30_000)).get(id);
      row.submitted = round;
      if (record?.status === 'succeeded') row.final = Number(row.final) + 1;
      outputs.push(record?.result ?? '');
    }
    const first = outputs[0] ?? '';
    row.notes = [line(first, 'uid='), line(first, 'CapEff'), line(first, 'NoNewPrivs'), line(first, 'Max open files').replace(/ files $/, ''), line(first, 'Max file size').replace(/ bytes $/, '')].join('; ');
    for (const out of outputs) {
      expect(line(out, 'uid=')).to.equal('uid=65534:65534');
      expect(line(out, 'CapEff')).to.equal('CapEff: 0000000000000000');
      expect(line(out, 'NoNewPrivs')).to.equal('NoNewPrivs: 1');
      expect(line(out, 'Max open files')).to.equal('Max open files 1024 1024 files ');
      expect(line(out, 'Max file size')).to.equal(`Max file size ${64 * MIB} ${64 * MIB} bytes `);
    }
  });

  it('image references as a probe: internal registries refused at registration, pull failures told generically', async () => {
    const row = ledgerRow('internal registry references');
    const p = await proofPlatform();
    const user = await newUser(p);
    const internal = ['localhost:5000/x', '127.0.0.1:2375/x', '169.254.169.254/latest', '10.0.0.1:5000/x', '[::1]:5000/x', 'registry:5000/x'];
    const statuses = await Promise.all(
      internal.map(async (image) => (await request(`${p.registry.url}/registry/functions`, { token: user.token, body: { name: uniqueName('fn'), image } })).status),
    );
    // An old message naming a closed loopback port: the daemon's "connection refused" must not reach the record.
    const closed = await silentRegistry();
    await closed.close();
    const [record] = await rawRecords(p.nc, [await publishRaw(p.nc, `${closed.host}/probe:1`)], 30_000);
    row.submitted = internal.length + 1;
    row.final = record?.status === 'error' ? 1 : 0;
    row.lost = record && record.status !== 'queued' && record.status !== 'running' ? 0 : 1;
    row.notes = `registration: ${statuses.filter((s) => s === 400).length}/${internal.length} refused 400; a pull from a closed port: "${record?.error?.split(': ').pop() ?? '?'}"`;
    expect(statuses).to.deep.equal(internal.map(() => 400));
    expect(record?.error).to.match(/: it does not exist, is not public, or its registry did not answer$/);
  });
});
