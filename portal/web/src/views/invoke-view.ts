import { api, type ExecutionRecord } from '../api.js';
import { field, formValue, h } from '../dom.js';
import { executionPanel, guarded, type Ctx } from '../ui.js';

/** Run a function with an argument: sync shows the outcome here; background goes to the execution. */
export function invokeView(root: HTMLElement, ctx: Ctx, name: string): void {
  const errors = h('div', {});
  const outcome = h('div', { 'aria-live': 'polite' });
  const run = h('button', { type: 'submit', class: 'primary' }, 'Run');
  const background = h('button', { type: 'button' }, 'Run in background');
  const form = h(
    'form',
    { class: 'card' },
    h('h1', {}, `Invoke ${name}`),
    field('Argument', h('textarea', { name: 'argument', rows: 4, placeholder: 'Hola, Mundo!' }), 'passed as the last argv element'),
    errors,
    h('div', { class: 'actions' }, run, background),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    outcome.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
    void guarded(errors, run, async () => {
      const body = await api<ExecutionRecord | { executionId: string }>('POST', '/publisher/publish', { name, argument: formValue(form, 'argument') });
      // 202: it outlasted the sync wait; follow it on its own page.
      if ('executionId' in body) ctx.go(`#/executions/${body.executionId}`);
      else outcome.replaceChildren(executionPanel(body));
    }).finally(() => {
      if (errors.childElementCount > 0) outcome.replaceChildren();
    });
  });
  background.addEventListener('click', () => {
    void guarded(errors, background, async () => {
      const { executionId } = await api<{ executionId: string }>('POST', '/publisher/executions', { name, argument: formValue(form, 'argument') });
      ctx.go(`#/executions/${executionId}`);
    });
  });
  root.replaceChildren(form, outcome);
}
