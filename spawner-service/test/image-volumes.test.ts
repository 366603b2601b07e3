import { buildFunctionImage } from '@faas/testing';
import { expect } from 'chai';
import { containersOf, docker, execute, executionRequest, startTestSpawner, type SpawnerUnderTest } from './helpers.js';

const VOLUME_IMAGE = 'faas-test-sp-volume:latest';
const MIB = 1024 * 1024;
/** Tries to put 100 MiB into the image's declared volume, then says how much landed and on what. */
const FILL_SCRIPT = [
  'head -c 104857600 /dev/zero > /data/big; echo "write exit=$?"',
  'echo "size=$(wc -c < /data/big)"',
  "echo \"fs=$(grep ' /data ' /proc/mounts | cut -d' ' -f3)\"",
  '',
].join('\n');

type EngineEvent = { Actor: { ID: string; Attributes: Record<string, string> } };

/**
 * Volumes the engine mounted at /data since `since` (seconds) into this spawner's containers:
 * into an execution's container (none may be), or the supervisor volume's never-started filler
 * (which must be gone now).
 */
async function dataVolumes(spawnerId: string, since: number): Promise<{ executions: string[]; leftovers: string[] }> {
  const until = Math.ceil(Date.now() / 1000) + 1;
  const read = async (filters: Record<string, string[]>): Promise<EngineEvent[]> => {
    const stream = await docker.getEvents({ since, until, filters });
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as EngineEvent);
  };
  const created = await read({ type: ['container'], event: ['create'], label: [`faas.spawner=${spawnerId}`] });
  const fillers = new Set(created.filter((e) => e.Actor.Attributes['faas.execution'] === 'supervisor-fill').map((e) => e.Actor.ID));
  const ours = new Set(created.map((e) => e.Actor.ID));
  const mounts = (await read({ type: ['volume'], event: ['mount'] })).filter((e) => ours.has(e.Actor.Attributes.container ?? '') && e.Actor.Attributes.destination === '/data');
  const exists = async (id: string): Promise<boolean> => docker.getVolume(id).inspect().then(() => true, () => false);
  const filled = mounts.filter((e) => fillers.has(e.Actor.Attributes.container ?? '')).map((e) => e.Actor.ID);
  return {
    executions: mounts.filter((e) => !fillers.has(e.Actor.Attributes.container ?? '')).map((e) => e.Actor.ID),
    leftovers: (await Promise.all(filled.map(async (id) => ((await exists(id)) ? id : undefined)))).filter((id): id is string => id !== undefined),
  };
}

for (const mode of ['warm', 'cold'] as const) {
  describe(`spawner: an image's VOLUME cannot fill the disk (${mode})`, () => {
    let sut: SpawnerUnderTest;
    before(async function () {
      this.timeout(120_000);
      await buildFunctionImage(VOLUME_IMAGE, FILL_SCRIPT, ['RUN mkdir -m 1777 /data', 'VOLUME /data']);
      sut = await startTestSpawner({ MAX_CONTAINERS: '2', WARM_DEFAULT: mode === 'warm' ? 'true' : 'false' });
    });
    after(async () => {
      if (!sut) return;
      await sut.close();
      expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
    });

    it('masks VOLUME /data with a bounded tmpfs: 100 MiB written stops at the cap and no volume is made', async function () {
      this.timeout(60_000);
      const since = Math.floor(Date.now() / 1000) - 1;
      const record = await execute(sut, executionRequest(VOLUME_IMAGE, 'x'), 40_000);
      const out = record.result ?? '';
      expect(record.status, `${record.error ?? ''} ${record.logs ?? ''}`).to.equal('succeeded');
      expect(out).to.contain('fs=tmpfs\n');
      expect(out).to.not.contain('write exit=0\n');
      const size = Number(/size=(\d+)/.exec(out)?.[1]);
      expect(size).to.be.above(0).and.at.most(sut.config.sandbox.tmpfsSizeMb * MIB);
      expect(await dataVolumes(sut.config.spawnerId, since)).to.deep.equal({ executions: [], leftovers: [] });
    });
  });
}
