import { ConfigError } from '@faas/common';
import { tempSecretFile } from '@faas/testing';
import { loadRegistryConfig } from '@faas/registry-service';
import { loadSpawnerConfig } from '@faas/spawner-service';
import { expect } from 'chai';

/** The registry refuses functions above the ceilings, the spawner clamps to them: one definition for both. */
describe('limit ceilings: the registry and the spawner read them alike', () => {
  const env = (extra: Record<string, string>) => ({ JWT_SECRET_FILE: tempSecretFile(), ...extra });
  const both = (extra: Record<string, string>) => {
    const registry = loadRegistryConfig(env(extra)).limits;
    const spawner = loadSpawnerConfig(env(extra)).sandbox.ceilings;
    return { registry: { timeoutSeconds: registry.maxTimeoutSeconds, memoryMb: registry.maxMemoryMb, cpus: registry.maxCpus }, spawner };
  };
  const problems = (load: () => unknown): readonly string[] => {
    try {
      load();
    } catch (err) {
      if (err instanceof ConfigError) return err.problems.filter((p) => /^MAX_(TIMEOUT_SECONDS|MEMORY_MB|CPUS):/.test(p));
      throw err;
    }
    return [];
  };

  it('have the same defaults', () => {
    const { registry, spawner } = both({});
    expect(registry).to.deep.equal(spawner);
  });

  it('accept the same values (a 20-minute ceiling is valid for both)', () => {
    const { registry, spawner } = both({ MAX_TIMEOUT_SECONDS: '1200', MAX_MEMORY_MB: '2048', MAX_CPUS: '4' });
    expect(registry).to.deep.equal({ timeoutSeconds: 1200, memoryMb: 2048, cpus: 4 });
    expect(spawner).to.deep.equal(registry);
  });

  it('refuse the same values with the same message', () => {
    const bad = { MAX_TIMEOUT_SECONDS: '7200', MAX_MEMORY_MB: '1', MAX_CPUS: '100' };
    const fromRegistry = problems(() => loadRegistryConfig(env(bad)));
    expect(fromRegistry).to.have.length(3);
    expect(problems(() => loadSpawnerConfig(env(bad)))).to.deep.equal(fromRegistry);
  });
});
