import { FINAL, api, enc, type ExecutionRecord, type Page } from '../api.js';
import { h } from '../dom.js';
import { errorBox, executionPanel, statusBadge, type Ctx } from '../ui.js';

const POLL_MS = 1_000;

/** Calls `tick` now and every POLL_MS while it returns true; stops when the view is left. */
function poll(ctx: Ctx, tick: () => Promise<boolean>): void {
  let timer: number | undefined;
  let left = false;
  ctx.onLeave(() => {
    left = true;
    window.clearTimeout(timer);
  });
  const step = async (): Promise<void> => {
    const again = await tick();
    if (again && !left) timer = window.setTimeout(() => void step(), POLL_MS);
  };
  void step();
}

const row = (e: ExecutionRecord): HTMLElement =>
  h(
    'li',
    { class: 'card', 'data-execution': e.id },
    h('a', { class: 'row', href: `#/executions/${e.id}` }, h('b', {}, e.function), statusBadge(e.status)),
    h('small', { class: 'muted' }, `${new Date(e.queuedAt).toLocaleString()}${e.durationMs === null ? '' : ` · ${e.durationMs} ms`}${e.exitCode === null ? '' : ` · exit ${e.exitCode}`}`),
  );

/** The caller's executions, newest first; refreshed while any is queued or running. */
export function executionsView(root: HTMLElement, ctx: Ctx, fn?: string): void {
  const errors = h('div', {});
  const list = h('ul', { class: 'list', 'aria-label': 'executions' });
  root.replaceChildren(h('h1', {}, fn ? `Executions of ${fn}` : 'Executions'), errors, list);
  poll(ctx, async () => {
    try {
      const page = await api<Page<ExecutionRecord>>('GET', `/publisher/executions?limit=50${fn ? `&function=${enc(fn)}` : ''}`);
      list.replaceChildren(...(page.items.length ? page.items.map(row) : [h('li', { class: 'muted' }, 'No executions yet.')]));
      errors.replaceChildren();
      return page.items.some((e) => !FINAL.has(e.status));
    } catch (err) {
      errors.replaceChildren(errorBox(err));
      return false;
    }
  });
}

/** One execution, polled until it is final. */
export function executionView(root: HTMLElement, ctx: Ctx, id: string): void {
  const body = h('div', { 'aria-live': 'polite' });
  root.replaceChildren(h('h1', {}, 'Execution'), body);
  poll(ctx, async () => {
    try {
      const record = await api<ExecutionRecord>('GET', `/publisher/executions/${enc(id)}`);
      body.replaceChildren(h('h2', {}, record.function), executionPanel(record));
      return !FINAL.has(record.status);
    } catch (err) {
      body.replaceChildren(errorBox(err));
      return false;
    }
  });
}
