import { expect } from 'chai';
import {
  buildImages,
  containersOf,
  execute,
  executionRequest,
  publishExecution,
  startTestSpawner,
  waitForFinal,
  type SpawnerUnderTest,
} from './helpers.js';

const SANDBOX_SCRIPTS = Object.freeze({
  'faas-test-sp-sleep:latest': 'sleep "$1"\n',
  'faas-test-sp-flood:latest': 'yes "$1" | head -c 5000000; yes err | head -c 3000000 >&2\n',
  'faas-test-sp-netdev:latest': 'cat /proc/net/dev\n',
  'faas-test-sp-forkbomb:latest': 'bomb() { bomb | bomb & }; bomb; sleep 3; echo survived\n',
  'faas-test-sp-memhog:latest': 'x=$(head -c 200000000 /dev/zero | tr "\\000" a); echo "allocated ${#x}"\n',
  'faas-test-sp-fs:latest': [
    'if echo x > /probe 2>/dev/null; then echo "root: writable"; else echo "root: read-only"; fi',
    'echo ok > /tmp/probe && echo "tmp: $(cat /tmp/probe)"',
    '',
  ].join('\n'),
});

// Hostile functions are contained alike in warm containers (the default) and in cold ones.
for (const mode of ['warm', 'cold'] as const) {
  describe(`spawner: the sandbox holds (${mode})`, () => {
    let sut: SpawnerUnderTest;
    before(async function () {
      this.timeout(120_000);
      await buildImages(SANDBOX_SCRIPTS);
      sut = await startTestSpawner({
        MAX_CONTAINERS: '3',
        STDOUT_CAP_BYTES: '65536',
        STDERR_CAP_BYTES: '32768',
        WARM_DEFAULT: mode === 'warm' ? 'true' : 'false',
      });
    });
    after(async () => {
      if (!sut) return; // before() failed
      await sut.close();
      expect(await containersOf(`faas.spawner=${sut.config.spawnerId}`)).to.have.length(0);
    });

    // What is guaranteed is the kill, not a latency: a timed-out run ends long before the 30 s the
    // function would sleep. (A "final within timeout + 2 s" assertion failed on a loaded machine.)
    it('kills a function sleeping past its timeout and records timed_out, long before it would have ended', async () => {
      const timeoutSeconds = 2;
      const record = await execute(sut, executionRequest('faas-test-sp-sleep:latest', '30', { limits: { timeoutSeconds, memoryMb: 64, cpus: 0.5, network: 'none' } }));
      expect(record.status).to.equal('timed_out');
      expect(record.error).to.match(/timed out/);
      expect(record.exitCode).to.equal(null);
      const ran = Date.parse(record.finishedAt ?? '') - Date.parse(record.startedAt ?? '');
      expect(ran, 'running to final').to.be.at.least(timeoutSeconds * 1000).and.below(30_000);
    });

    it('truncates a flooding function at the cap and keeps serving', async function () {
      this.timeout(60_000);
      const record = await execute(sut, executionRequest('faas-test-sp-flood:latest', 'y'), 30_000);
      expect(record.status).to.equal('succeeded');
      expect(record.truncated).to.equal(true);
      expect(Buffer.byteLength(record.result ?? '')).to.equal(65536);
      expect(Buffer.byteLength(record.logs ?? '')).to.equal(32768);
      expect(record.result?.startsWith('y\ny\n')).to.equal(true);
      await sut.spawner.ready();
      const next = await execute(sut, executionRequest('faas-test-sp-fs:latest', 'x'));
      expect(next.status).to.equal('succeeded');
    });

    it('with the default 1 MiB caps, shrinks the record to fit one NATS message and says truncated', async function () {
      this.timeout(60_000);
      const defaults = await startTestSpawner();
      try {
        const request = executionRequest('faas-test-sp-flood:latest', 'y');
        await publishExecution(defaults.nc, request);
        const record = await waitForFinal(defaults.store, request.id, 30_000);
        expect(record).to.include({ status: 'succeeded', truncated: true });
        const maxPayload = defaults.nc.info?.max_payload ?? 0;
        expect(Buffer.byteLength(JSON.stringify(record))).to.be.at.most(maxPayload);
        expect(Buffer.byteLength(record.result ?? '')).to.be.within(1, defaults.config.sandbox.stdoutCapBytes);
      } finally {
        await defaults.close();
      }
    });

    it('gives a function no network: only the loopback interface exists', async () => {
      const record = await execute(sut, executionRequest('faas-test-sp-netdev:latest', 'x'));
      expect(record.status).to.equal('succeeded');
      const interfaces = (record.result ?? '')
        .split('\n')
        .slice(2)
        .map((line) => line.split(':')[0]?.trim())
        .filter(Boolean);
      expect(interfaces).to.deep.equal(['lo']);
    });

    it('contains a fork bomb with the pids limit', async function () {
      this.timeout(30_000);
      const limits = { timeoutSeconds: 8, memoryMb: 64, cpus: 0.5, network: 'none' as const };
      const record = await execute(sut, executionRequest('faas-test-sp-forkbomb:latest', 'x', { limits }), 20_000);
      expect(record.status).to.be.oneOf(['succeeded', 'failed', 'timed_out']);
      expect(record.logs).to.match(/can't fork|Resource temporarily unavailable/);
      await sut.spawner.ready();
    });

    it('OOM-kills a memory hog and reports it as failed with the reason', async function () {
      this.timeout(30_000);
      const limits = { timeoutSeconds: 20, memoryMb: 16, cpus: 0.5, network: 'none' as const };
      const record = await execute(sut, executionRequest('faas-test-sp-memhog:latest', 'x', { limits }), 25_000);
      expect(record.status).to.equal('failed');
      expect(record.error).to.match(/out of memory/);
      expect(record.result).to.not.contain('allocated');
    });

    it('refuses writes to / and allows them in /tmp', async () => {
      const record = await execute(sut, executionRequest('faas-test-sp-fs:latest', 'x'));
      expect(record).to.include({ status: 'succeeded', result: 'root: read-only\ntmp: ok\n' });
    });
  });
}
