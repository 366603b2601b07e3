import { api, enc, functionUrl, type FunctionDefinition, type Page } from '../api.js';
import { h } from '../dom.js';
import { errorBox, guarded, type Ctx } from '../ui.js';
import { triggerList, triggersByFunction, type TriggerView } from './trigger-list.js';

function functionCard(fn: FunctionDefinition, ctx: Ctx, errors: HTMLElement, reload: () => void, triggers?: readonly TriggerView[]): HTMLElement {
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete');
  remove.addEventListener('click', () => {
    if (!window.confirm(`Delete function ${fn.name}?`)) return;
    void guarded(errors, remove, async () => {
      await api('DELETE', `/registry/functions/${enc(fn.name)}`);
      reload();
    });
  });
  return h(
    'li',
    { class: 'card', 'data-function': fn.name },
    h('div', { class: 'row' }, h('h2', {}, fn.name), h('code', { class: 'muted' }, fn.image)),
    fn.description ? h('p', {}, fn.description) : null,
    httpLine(fn),
    h('p', { class: 'muted' }, `timeout ${fn.timeoutSeconds} s · ${fn.memoryMb} MiB · ${fn.cpus} CPU · network ${fn.network} · revision ${fn.revision}`),
    triggerList(triggers),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button primary', href: `#/functions/${enc(fn.name)}/invoke` }, 'Invoke'),
      h('a', { class: 'button', href: `#/functions/${enc(fn.name)}/edit` }, 'Edit'),
      h('a', { class: 'button', href: `#/executions?function=${enc(fn.name)}` }, 'Executions'),
      remove,
    ),
  );
}

/** An HTTP function's URL, and whether it needs a token. */
function httpLine(fn: FunctionDefinition): HTMLElement | null {
  const url = functionUrl(fn);
  if (!url) return null;
  return h('p', { class: 'muted', 'data-testid': 'http-url' }, `HTTP ${fn.public ? '(public)' : '(your token)'}: `, h('a', { href: url, target: '_blank', rel: 'noopener' }, url));
}

/** The caller's functions, one page after another. */
export async function functionsView(root: HTMLElement, ctx: Ctx): Promise<void> {
  const errors = h('div', {});
  const list = h('ul', { class: 'list', 'aria-label': 'functions' });
  const more = h('button', { type: 'button', hidden: true }, 'More');
  root.replaceChildren(
    h('div', { class: 'row' }, h('h1', {}, 'Functions'), h('a', { class: 'button primary', href: '#/functions/new' }, 'New function')),
    errors,
    list,
    more,
  );
  let cursor: string | null = null;
  let triggers: Promise<Map<string, TriggerView[]>> | undefined;
  const load = async (): Promise<void> => {
    triggers ??= triggersByFunction();
    const [page, byFunction] = await Promise.all([api<Page<FunctionDefinition>>('GET', `/registry/functions?limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`), triggers]);
    list.append(...page.items.map((fn) => functionCard(fn, ctx, errors, () => void functionsView(root, ctx), byFunction.get(fn.name))));
    if (list.childElementCount === 0) list.append(h('li', { class: 'muted' }, 'No functions yet: create one.'));
    cursor = page.nextCursor;
    more.hidden = cursor === null;
  };
  more.addEventListener('click', () => void guarded(errors, more, load));
  await load().catch((err: unknown) => errors.replaceChildren(errorBox(err)));
}
