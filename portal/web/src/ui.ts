import { ApiError, type ExecutionRecord } from './api.js';
import { h } from './dom.js';

/** What a view may ask of the app: navigate, and stop its timers when left. */
export interface Ctx {
  go(hash: string): void;
  onLeave(stop: () => void): void;
}

/** An error as the API gave it: its message, code and request id. */
export function errorBox(err: unknown): HTMLElement {
  if (err instanceof ApiError) {
    return h(
      'div',
      { class: 'alert', role: 'alert' },
      h('strong', {}, err.message),
      h('small', {}, `${err.status} ${err.code}${err.requestId ? ` · request ${err.requestId}` : ''}`),
    );
  }
  return h('div', { class: 'alert', role: 'alert' }, h('strong', {}, err instanceof Error ? err.message : String(err)));
}

/** Runs an action, showing its error (if any) in `slot`; the button is disabled meanwhile. */
export async function guarded(slot: HTMLElement, button: HTMLButtonElement | null, action: () => Promise<void>): Promise<void> {
  slot.replaceChildren();
  if (button) button.disabled = true;
  try {
    await action();
  } catch (err) {
    slot.replaceChildren(errorBox(err));
  } finally {
    if (button) button.disabled = false;
  }
}

export const statusBadge = (status: string): HTMLElement => h('span', { class: `badge ${status}`, 'data-testid': 'status' }, status.replace('_', ' '));

const ms = (value: number | null): string => (value === null ? '–' : value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(2)} s`);

/** An execution's outcome: status, exit code, duration, stdout and stderr. */
export function executionPanel(record: ExecutionRecord): HTMLElement {
  return h(
    'section',
    { class: 'card execution', 'aria-label': 'execution result' },
    h(
      'div',
      { class: 'facts' },
      statusBadge(record.status),
      h('span', {}, 'exit code ', h('b', { 'data-testid': 'exit-code' }, record.exitCode === null ? '–' : String(record.exitCode))),
      h('span', {}, 'duration ', h('b', { 'data-testid': 'duration' }, ms(record.durationMs))),
      record.truncated ? h('span', { class: 'warn' }, 'output truncated') : null,
    ),
    record.error ? h('p', { class: 'warn' }, record.error) : null,
    h('h3', {}, 'Result (stdout)'),
    h('pre', { 'data-testid': 'result' }, record.result ?? ''),
    h('h3', {}, 'Logs (stderr)'),
    h('pre', { 'data-testid': 'logs' }, record.logs ?? ''),
    h('small', { class: 'muted' }, `execution ${record.id}`),
  );
}
