import { api } from '../api.js';
import { h } from '../dom.js';

/** A trigger as GET /registry/triggers lists it (the fields of its kind are present). */
export interface TriggerView {
  name: string;
  kind: 'schedule' | 'webhook' | 'function-finished' | 'object';
  function: string;
  enabled: boolean;
  cron?: string;
  timeZone?: string;
  nextTick?: string;
  ratePerMinute?: number;
  source?: string;
  statuses?: string[];
  events?: string[];
  prefix?: string;
  outputs?: boolean;
}

/** What fires it, in a line. */
function summary(t: TriggerView): string {
  switch (t.kind) {
    case 'schedule':
      return `${t.cron ?? ''} (${t.timeZone ?? 'UTC'})`;
    case 'webhook':
      return `POST with its token · ${t.ratePerMinute ?? 0}/min`;
    case 'function-finished':
      return `after ${t.source ?? ''} ${(t.statuses ?? []).join(', ')}`;
    case 'object':
      return `objects ${(t.events ?? []).join(', ')} under ${t.prefix ? `“${t.prefix}”` : 'any name'}${t.outputs ? ' · outputs too' : ''}`;
  }
}

/** The caller's triggers by target function (every page the list has: one, as the registry lists them all). */
export async function triggersByFunction(): Promise<Map<string, TriggerView[]>> {
  const { items } = await api<{ items: TriggerView[] }>('GET', '/registry/triggers');
  const byFunction = new Map<string, TriggerView[]>();
  for (const t of items) byFunction.set(t.function, [...(byFunction.get(t.function) ?? []), t]);
  return byFunction;
}

/** A function card's list of the triggers that run it; nothing when none does. */
export function triggerList(triggers: readonly TriggerView[] | undefined): HTMLElement | null {
  if (!triggers || triggers.length === 0) return null;
  return h(
    'ul',
    { class: 'triggers', 'aria-label': 'triggers' },
    ...triggers.map((t) =>
      h('li', { 'data-trigger': t.name }, h('strong', {}, t.name), ` · ${t.kind} · ${summary(t)}${t.enabled ? '' : ' · disabled'}`),
    ),
  );
}
