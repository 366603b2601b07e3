import { expect } from 'chai';
import { buildImages, containersOf, execute, executionRequest, startTestSpawner, type SpawnerUnderTest } from './helpers.js';

const WHOAMI = 'faas-test-sp-whoami:latest';
/** What a function sees of itself from inside its container: ids, capabilities, privileges, limits. */
const WHOAMI_SCRIPT = [
  'echo "uid=$(id -u) gid=$(id -g)"',
  "grep -E '^(CapEff|CapPrm|NoNewPrivs):' /proc/self/status | tr -s '\\t ' ' '",
  "grep -E '^Max (open files|file size)' /proc/self/limits | tr -s ' '",
  'head -c 2000000 /dev/zero > /tmp/big; echo "write exit=$?"',
  '',
].join('\n');

const field = (text: string, name: string): string | undefined => text.split('\n').find((line) => line.startsWith(name));

for (const mode of ['warm', 'cold'] as const) {
  describe(`spawner: functions run unprivileged (${mode})`, () => {
    let sut: SpawnerUnderTest;
    before(async function () {
      this.timeout(120_000);
      await buildImages({ [WHOAMI]: WHOAMI_SCRIPT });
      sut = await startTestSpawner({ MAX_CONTAINERS: '2', WARM_DEFAULT: mode === 'warm' ? 'true' : 'false', FSIZE_LIMIT_MB: '1' });
    });
    after(async () => {
      if (!sut) return;
      await sut.close();
      expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
    });

    it('runs as an unprivileged uid:gid by default, with no capabilities, no_new_privs and the nofile and fsize ulimits', async function () {
      this.timeout(30_000);
      // Twice: the second run of a warm key reuses the container the first one left.
      for (const round of [1, 2]) {
        const record = await execute(sut, executionRequest(WHOAMI, 'x'));
        const out = record.result ?? '';
        expect(record.status, `round ${round}: ${record.error ?? ''} ${record.logs ?? ''}`).to.equal('succeeded');
        expect(field(out, 'uid=')).to.equal('uid=65534 gid=65534');
        expect(field(out, 'CapEff:')).to.equal('CapEff: 0000000000000000');
        expect(field(out, 'CapPrm:')).to.equal('CapPrm: 0000000000000000');
        expect(field(out, 'NoNewPrivs:')).to.equal('NoNewPrivs: 1');
        expect(field(out, 'Max open files')).to.equal('Max open files 1024 1024 files ');
        expect(field(out, 'Max file size')).to.equal('Max file size 1048576 1048576 bytes ');
        expect(field(out, 'write exit=')).to.not.equal('write exit=0'); // past fsize: SIGXFSZ or EFBIG
      }
    });
  });
}

// One spawner at a time on the shared consumer: the opt-out one runs alone.
describe('spawner: the operator may keep the image user', () => {
  for (const mode of ['warm', 'cold'] as const) {
    it(`keeps the image's own user (root here) with CONTAINER_USER=image (${mode})`, async function () {
      this.timeout(60_000);
      const optOut = await startTestSpawner({ CONTAINER_USER: 'image', WARM_DEFAULT: mode === 'warm' ? 'true' : 'false' });
      try {
        const record = await execute(optOut, executionRequest(WHOAMI, 'x'));
        expect(field(record.result ?? '', 'uid=')).to.equal('uid=0 gid=0');
        expect(field(record.result ?? '', 'CapEff:')).to.equal('CapEff: 0000000000000000');
      } finally {
        await optOut.close();
      }
    });
  }
});
