/** The operator's ceilings for every per-function limit, and the defaults a function gets. */
export interface LimitPolicy {
  readonly maxTimeoutSeconds: number;
  readonly maxMemoryMb: number;
  readonly maxCpus: number;
  readonly maxEnvBytes: number;
  readonly allowNetwork: boolean;
  /** Image references may name loopback, private, link-local or single-label registry hosts. */
  readonly allowPrivateRegistries: boolean;
  readonly defaults: {
    readonly timeoutSeconds: number;
    readonly memoryMb: number;
    readonly cpus: number;
  };
}

/** DESIGN.md's container defaults: 60 s, 256 MiB, half a CPU. */
export const DESIGN_DEFAULTS = Object.freeze({ timeoutSeconds: 60, memoryMb: 256, cpus: 0.5 });

/** Docker refuses less than 6 MB of memory; below 0.01 CPU a container barely runs. */
export const FLOORS = Object.freeze({ timeoutSeconds: 1, memoryMb: 6, cpus: 0.01 });

/** Defaults never exceed the ceilings, so an operator lowering a ceiling keeps defaults valid. */
export function limitPolicyFrom(ceilings: Omit<LimitPolicy, 'defaults'>): LimitPolicy {
  return Object.freeze({
    ...ceilings,
    defaults: Object.freeze({
      timeoutSeconds: Math.min(DESIGN_DEFAULTS.timeoutSeconds, ceilings.maxTimeoutSeconds),
      memoryMb: Math.min(DESIGN_DEFAULTS.memoryMb, ceilings.maxMemoryMb),
      cpus: Math.min(DESIGN_DEFAULTS.cpus, ceilings.maxCpus),
    }),
  });
}

/** Bytes the environment takes in a container: `KEY=value\0` per entry. */
export function envBytes(env: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const [key, value] of Object.entries(env)) total += Buffer.byteLength(key) + Buffer.byteLength(value) + 2;
  return total;
}
