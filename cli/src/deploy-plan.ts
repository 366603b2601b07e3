import type { StackFunction } from './stack-file.js';

/** A function as the registry returns it (only what deploy reads). */
export interface Deployed extends Readonly<Record<string, unknown>> {
  readonly name: string;
  readonly revision: number;
}

export type Action = 'created' | 'updated' | 'unchanged' | 'removed' | 'not in file';

export interface Step {
  readonly name: string;
  readonly action: Action;
  /** For `updated`: the fields that differ. */
  readonly fields: readonly string[];
  /** The request body that makes it so (create and update). */
  readonly body?: Readonly<Record<string, unknown>>;
}

/** What a PUT replaces; everything else in a GET is the registry's. */
const SETTABLE = ['image', 'description', 'env', 'timeoutSeconds', 'memoryMb', 'cpus', 'network', 'secrets', 'warm', 'runtime', 'http', 'public'] as const;

/**
 * Compares the file with what is deployed. A field the file leaves out is not managed by it:
 * an update keeps its current value (PUT is a full replacement, so it is sent back as it is).
 * Functions the file does not name are removed with `prune`, else only reported.
 */
export function planDeploy(stack: readonly StackFunction[], deployed: readonly Deployed[], prune: boolean): Step[] {
  const byName = new Map(deployed.map((d) => [d.name, d]));
  const steps: Step[] = stack.map((fn) => {
    const current = byName.get(fn.name);
    if (!current) return { name: fn.name, action: 'created', fields: [], body: { name: fn.name, ...fn.spec } };
    const fields = Object.keys(fn.spec).filter((key) => !sameValue(fn.spec[key], current[key]));
    if (fields.length === 0) return { name: fn.name, action: 'unchanged', fields };
    // `public` goes with `http`: a file that turns http off does not keep a public the registry would refuse.
    const keeps = (key: string): boolean => current[key] !== undefined && !(key === 'public' && fn.spec.http === false);
    const kept = Object.fromEntries(SETTABLE.filter(keeps).map((key) => [key, current[key]]));
    return { name: fn.name, action: 'updated', fields, body: { ...kept, ...fn.spec, revision: current.revision } };
  });
  const named = new Set(stack.map((fn) => fn.name));
  for (const d of deployed) {
    if (!named.has(d.name)) steps.push({ name: d.name, action: prune ? 'removed' : 'not in file', fields: [] });
  }
  return steps;
}

/** Structural equality; object key order does not matter, array order does. */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
