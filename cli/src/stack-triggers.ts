import { z } from 'zod';
import type { ApiClient } from './api.js';
import { sameValue } from './deploy-plan.js';

/** The kinds the registry knows; their fields are the registry's to judge (docs/triggers.md). */
const KINDS = ['schedule', 'webhook', 'function-finished', 'object'] as const;

/** `triggers:` under a function in faas.yml: by trigger name; `function` is the function they sit under. */
export const stackTriggersSchema = z.record(
  z.string(),
  z.looseObject({ kind: z.enum(KINDS, { error: `kind must be one of ${KINDS.join(', ')}` }) }).refine((t) => !('function' in t), 'function is the function the trigger sits under: leave it out'),
);

/** A trigger as the file states it. */
export interface StackTrigger {
  readonly name: string;
  readonly function: string;
  readonly spec: Readonly<Record<string, unknown>> & { readonly kind: string };
}

/** A trigger as the registry lists it (only what deploy reads). */
interface DeployedTrigger extends Readonly<Record<string, unknown>> {
  readonly name: string;
  readonly kind: string;
  readonly revision: number;
}

export type TriggerAction = 'created' | 'updated' | 'replaced' | 'unchanged';

export interface TriggerStep {
  readonly name: string;
  readonly function: string;
  readonly action: TriggerAction;
  readonly fields: readonly string[];
  readonly body?: Readonly<Record<string, unknown>>;
}

/** What a PUT replaces (a webhook's token is kept by the registry). */
const SETTABLE = ['function', 'enabled', 'cron', 'timeZone', 'missedTicks', 'argument', 'ratePerMinute', 'source', 'statuses', 'events', 'prefix', 'outputs'] as const;

/**
 * As for functions: a field the file leaves out is not managed by it, and a trigger that already
 * has every named value is left alone. A different kind cannot be a PUT: it is deleted and made
 * again. Triggers the file does not name are kept.
 */
export function planTriggers(stack: readonly StackTrigger[], deployed: readonly DeployedTrigger[]): TriggerStep[] {
  const byName = new Map(deployed.map((d) => [d.name, d]));
  return stack.map((t) => {
    const wanted = { ...t.spec, function: t.function };
    const current = byName.get(t.name);
    const step = { name: t.name, function: t.function };
    if (!current) return { ...step, action: 'created', fields: [], body: { name: t.name, ...wanted } };
    if (current.kind !== t.spec.kind) return { ...step, action: 'replaced', fields: ['kind'], body: { name: t.name, ...wanted } };
    const fields = Object.keys(wanted).filter((key) => !sameValue(wanted[key as keyof typeof wanted], current[key]));
    if (fields.length === 0) return { ...step, action: 'unchanged', fields };
    const kept = Object.fromEntries(SETTABLE.filter((key) => current[key] !== undefined).map((key) => [key, current[key]]));
    return { ...step, action: 'updated', fields, body: { ...kept, ...wanted, revision: current.revision } };
  });
}

export const listTriggers = async (api: ApiClient): Promise<DeployedTrigger[]> => (await api.call<{ items: DeployedTrigger[] }>('/registry/triggers')).items;

const triggerPath = (name: string): string => `/registry/triggers/${encodeURIComponent(name)}`;

/** Applies one step; a new webhook's URL (shown only now) is returned. */
export async function applyTrigger(api: ApiClient, step: TriggerStep): Promise<string | undefined> {
  if (step.action === 'unchanged') return undefined;
  if (step.action === 'updated') return void (await api.call(triggerPath(step.name), { method: 'PUT', body: step.body }));
  if (step.action === 'replaced') await api.call(triggerPath(step.name), { method: 'DELETE' });
  return (await api.call<{ url?: string }>('/registry/triggers', { body: step.body })).url;
}
