import type { FunctionLimits } from '@faas/common';
import type { ResolvedLimits } from './ports.js';

export interface LimitPolicy {
  readonly defaults: { readonly timeoutSeconds: number; readonly memoryMb: number; readonly cpus: number };
  readonly ceilings: { readonly timeoutSeconds: number; readonly memoryMb: number; readonly cpus: number };
  readonly allowNetwork: boolean;
}

/** Docker refuses memory limits under 6 MiB. */
const MIN_MEMORY_MB = 6;
const MIN_CPUS = 0.01;

const clamp = (value: number, min: number, max: number): number => Math.min(Math.max(value, min), max);

/** A function's own limits, or the defaults, never past the operator's ceilings. */
export function resolveLimits(requested: Partial<FunctionLimits>, policy: LimitPolicy): ResolvedLimits {
  const { defaults, ceilings } = policy;
  const timeoutSeconds = clamp(requested.timeoutSeconds ?? defaults.timeoutSeconds, 0.1, ceilings.timeoutSeconds);
  return {
    timeoutMs: Math.round(timeoutSeconds * 1000),
    memoryMb: Math.floor(clamp(requested.memoryMb ?? defaults.memoryMb, MIN_MEMORY_MB, ceilings.memoryMb)),
    cpus: clamp(requested.cpus ?? defaults.cpus, MIN_CPUS, ceilings.cpus),
    network: policy.allowNetwork && requested.network === 'bridge' ? 'bridge' : 'none',
  };
}
