import { ConfigError } from '@faas/common';
import { expect } from 'chai';
import { loadSpawnerConfig } from '../src/config.js';
import { resolveLimits } from '../src/domain/limits.js';
import { containerSpec } from '../src/infra/container-spec.js';

const MIB = 1024 * 1024;

describe('spawner: configuration and container spec', () => {
  const config = loadSpawnerConfig({ SPAWNER_ID: 'spawner-1', CONTAINER_LABELS: 'stack=faas,faas.spawner=spoofed' });
  const job = (requested: Parameters<typeof resolveLimits>[0]) => ({
    executionId: 'ex-1',
    userId: 'u-1',
    functionName: 'MyFunction',
    image: 'example/fn:1',
    argument: 'hello "world"',
    env: { A: '1', B: 'x=y' },
    limits: resolveLimits(requested, config.sandbox),
  });

  it('defaults to the DESIGN.md sandbox: 5 slots, 256 MiB, 0.5 CPU, 60 s, 1 MiB caps, port 8084', () => {
    expect(config).to.include({ maxContainers: 5, port: 8084, spawnerId: 'spawner-1', dockerSocket: '/var/run/docker.sock' });
    expect(config.sandbox.defaults).to.deep.equal({ timeoutSeconds: 60, memoryMb: 256, cpus: 0.5 });
    expect(config.sandbox.ceilings).to.deep.equal({ timeoutSeconds: 600, memoryMb: 1024, cpus: 2 });
    expect(config.sandbox).to.include({ stdoutCapBytes: MIB, stderrCapBytes: MIB, pidsLimit: 64, tmpfsSizeMb: 16, allowNetwork: false });
  });

  it('reports every bad variable at once', () => {
    expect(() => loadSpawnerConfig({ MAX_CONTAINERS: '0', PIDS_LIMIT: 'many', CONTAINER_LABELS: 'nokey' }))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.has.length(3);
  });

  it('locks the container down: no network, no capabilities, no new privileges, read-only root, swap = memory', () => {
    const spec = containerSpec(job({}), config.sandbox, config.spawnerId);
    expect(spec.Cmd).to.deep.equal(['hello "world"']);
    expect(spec).to.not.have.property('Entrypoint');
    expect(spec.Env).to.deep.equal(['A=1', 'B=x=y']);
    expect(spec.NetworkDisabled).to.equal(true);
    expect(spec.HostConfig).to.deep.include({
      NetworkMode: 'none',
      Memory: 256 * MIB,
      MemorySwap: 256 * MIB,
      NanoCpus: 500_000_000,
      PidsLimit: 64,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Privileged: false,
    });
    expect(spec.HostConfig?.Tmpfs?.['/tmp']).to.contain('size=16m');
  });

  it('labels the container with execution, user, function and spawner; platform labels win over operator ones', () => {
    const spec = containerSpec(job({}), config.sandbox, config.spawnerId);
    expect(spec.Labels).to.deep.equal({
      stack: 'faas',
      'faas.managed': 'true',
      'faas.execution': 'ex-1',
      'faas.user': 'u-1',
      'faas.function': 'MyFunction',
      'faas.spawner': 'spawner-1',
    });
  });

  it('takes per-function limits within the operator ceilings, and network only when allowed', () => {
    expect(resolveLimits({ timeoutSeconds: 5, memoryMb: 64, cpus: 0.25, network: 'bridge' }, config.sandbox)).to.deep.equal({
      timeoutMs: 5_000,
      memoryMb: 64,
      cpus: 0.25,
      network: 'none',
    });
    expect(resolveLimits({ timeoutSeconds: 9_999, memoryMb: 99_999, cpus: 64 }, config.sandbox)).to.deep.equal({
      timeoutMs: 600_000,
      memoryMb: 1_024,
      cpus: 2,
      network: 'none',
    });
    const open = loadSpawnerConfig({ ALLOW_NETWORK: 'true' });
    expect(resolveLimits({ network: 'bridge' }, open.sandbox).network).to.equal('bridge');
  });
});
